using System.CommandLine;
using Concentrator.Client.Security;

namespace Concentrator.Commands;

/// <summary>
/// The security options attach, pty and bridge share: <c>--tls</c>, <c>--ca FILE</c>, <c>--cert FILE --key FILE</c>,
/// <c>--user NAME</c>, <c>--lease-token TOKEN</c>. --ca or --cert imply --tls. The password of --user comes from CONCENTRATOR_PASSWORD or a
/// prompt, never from the command line.
/// </summary>
internal sealed class ClientSecurityOptions
{
    private readonly Option<bool> _tls = new("--tls") { Description = "Connect with TLS (implied by --ca and --cert)" };

    private readonly Option<string> _ca = new("--ca")
    {
        Description = "PEM file of the CA the server's certificate must chain to (default: the system's trusted roots)",
        HelpName = "FILE",
    };

    private readonly Option<string> _cert = new("--cert") { Description = "PEM client certificate (for auth = certificate listeners)", HelpName = "FILE" };

    private readonly Option<string> _key = new("--key") { Description = "PEM private key of --cert", HelpName = "FILE" };

    private readonly Option<string> _user = new("--user")
    {
        Description = $"Log in as NAME (auth = password listeners); the password comes from {PasswordPrompt.EnvironmentVariable} or a prompt",
        HelpName = "NAME",
    };

    /// <summary>Where --lease-token is read from when not given (keeps the token out of ps).</summary>
    public const string LeaseTokenVariable = "CONCENTRATOR_LEASE_TOKEN";

    private readonly Option<string> _leaseToken = new("--lease-token")
    {
        Description = $"Present this lease's token when connecting, so the session holds the lease and writes (default: ${LeaseTokenVariable})",
        HelpName = "TOKEN",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_leaseToken);
        command.Options.Add(_tls);
        command.Options.Add(_ca);
        command.Options.Add(_cert);
        command.Options.Add(_key);
        command.Options.Add(_user);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(_cert) is null) != (result.GetValue(_key) is null))
            {
                result.AddError("--cert and --key go together: the client certificate and its private key");
            }
        });
    }

    /// <summary>The security to connect with; null (after saying why on stderr) when a password is needed and none can be had.</summary>
    public ClientSecurity? Resolve(ParseResult parse, string command)
    {
        var ca = parse.GetValue(_ca);
        var cert = parse.GetValue(_cert);
        var user = parse.GetValue(_user);
        string? password = null;
        if (user is not null)
        {
            password = PasswordPrompt.Read(user);
            if (password is null)
            {
                Console.Error.WriteLine($"concentrator {command}: --user {user} needs a password: set {PasswordPrompt.EnvironmentVariable} or run on a terminal");
                return null;
            }
        }

        var leaseToken = parse.GetValue(_leaseToken) ?? Environment.GetEnvironmentVariable(LeaseTokenVariable);
        return new ClientSecurity(parse.GetValue(_tls) || ca is not null || cert is not null, ca, cert, parse.GetValue(_key), user, password,
            string.IsNullOrWhiteSpace(leaseToken) ? null : leaseToken.Trim());
    }
}
