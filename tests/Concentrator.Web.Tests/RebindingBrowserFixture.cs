namespace Concentrator.Web.Tests;

/// <summary>
/// A headless Chromium whose resolver maps every name under <c>.test</c> to 127.0.0.1: what DNS rebinding gives an
/// attacker (a name of theirs that resolves to the victim's loopback), and a real other site (http://evil.test:PORT)
/// served from this machine. Only this browser resolves them so; nothing leaves the machine.
/// </summary>
public sealed class RebindingBrowserFixture : BrowserFixture
{
    /// <summary>The name the daemon is reached by after rebinding.</summary>
    public const string ReboundHost = "rebind.test";

    /// <summary>Another site: cross-site to 127.0.0.1, not only cross-origin.</summary>
    public const string OtherSite = "evil.test";

    protected override IEnumerable<string> ExtraArgs => ["--host-resolver-rules=MAP *.test 127.0.0.1"];
}
