using System.Net;
using Concentrator.Ports.Security;

namespace Concentrator.Web.Tests;

/// <summary>What the browser-boundary tests serve from another site, and the users file they sign in with.</summary>
public static class AttackPages
{
    /// <summary>
    /// A page that, as soon as it loads, submits a form POST to <paramref name="action"/> with <paramref name="fields"/>
    /// (a top-level navigation, so the browser reports the daemon's answer). <paramref name="enctype"/> text/plain is
    /// the classic way to post JSON-looking bodies without a preflight.
    /// </summary>
    public static string AutoSubmit(string action, IEnumerable<(string Name, string Value)> fields, string enctype = "application/x-www-form-urlencoded")
    {
        var inputs = string.Concat(fields.Select(f =>
            $"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(f.Name)}\" value=\"{WebUtility.HtmlEncode(f.Value)}\">"));
        return $"""
            <!doctype html><html><body>
            <form id="f" method="post" enctype="{enctype}" action="{WebUtility.HtmlEncode(action)}">{inputs}</form>
            <script>document.getElementById('f').submit();</script>
            </body></html>
            """;
    }

    /// <summary>
    /// A page whose script makes the browser send every state-changing API request it can to <paramref name="daemon"/>
    /// (no-cors fetches: no preflight, text/plain-like bodies; a JSON PUT, which needs a preflight; the dashboard's own
    /// action URLs), then sets <c>window.forged</c> to what it could see of each answer.
    /// </summary>
    public static string ForgedRequests(string daemon) => $$"""
        <!doctype html><html><body><p>Nothing to see here.</p>
        <script>
        const daemon = '{{daemon}}';
        const body = text => new Blob([text]); // no type: the request goes without a Content-Type, no preflight
        async function attempt(what, path, init) {
          try {
            const answer = await fetch(daemon + path, init);
            return `${what}: ${answer.type} ${answer.status}`;
          } catch (e) {
            return `${what}: failed (${e.name})`;
          }
        }
        window.forged = (async () => [
          await attempt('break', '/api/ports/demo/break', { method: 'POST', mode: 'no-cors', body: body('{"durationMs":100}') }),
          await attempt('write-lock', '/api/ports/demo/write-lock', { method: 'POST', mode: 'no-cors', body: body('{"session":"demo:2"}') }),
          await attempt('lease', '/api/leases', { method: 'POST', mode: 'no-cors', body: body('{"port":"demo","ttl":"10m"}') }),
          await attempt('reload', '/api/reload', { method: 'POST', mode: 'no-cors' }),
          await attempt('line', '/api/ports/demo/line', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"baud":9600}' }),
          await attempt('dashboard break', '/ui/ports/demo/break', { method: 'POST', mode: 'no-cors' }),
          await attempt('dashboard kick', '/ui/sessions/demo:1/kick', { method: 'POST', mode: 'no-cors' }),
        ])();
        </script></body></html>
        """;

    /// <summary>Writes a users file as `concentrator passwd` does (mode 0600: the daemon refuses one others may read).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static void WriteUsersFile(string path, params (string Name, string Password, string[] Groups)[] users)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(file);
        writer.Write(UserDirectory.Format(users.Select(u => new UserAccount(u.Name, PasswordHasher.Hash(u.Password), u.Groups))));
    }
}
