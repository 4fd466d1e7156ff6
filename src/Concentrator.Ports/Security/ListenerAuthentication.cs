namespace Concentrator.Ports.Security;

/// <summary>How a listener learns who its clients are (<c>auth</c>).</summary>
public enum ListenerAuthentication
{
    /// <summary>It does not: every client is the anonymous principal "*".</summary>
    None,

    /// <summary><c>login:</c> / <c>Password:</c> prompts against the users file (telnet and rfc2217 listeners); principal = the user name.</summary>
    Password,

    /// <summary>The TLS client certificate, signed by the listener's client-ca; principal = "cert:" + its CN.</summary>
    Certificate,
}
