using System.CommandLine;
using Concentrator.Api.Auth;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator token add NAME --role read|operate|lease|audit|admin --tokens-file FILE</c>: makes a random API token, appends its
/// hash to the tokens file (created private) and prints the token once on stdout; it is stored nowhere.
/// </summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "Who or what the token is for (one word, e.g. alice, grafana)" };
        var role = new WordOption<ApiRole>("--role",
            "read (ports, sessions, leases, metrics); operate (also kick, line settings, break, write lock on the ports whose ACL lets " +
            "web:NAME write); lease (also acquire leases for itself: a scheduler); audit (read, and recordings and the audit trail); " +
            "admin (everything, every port, reload, revoke)", "read",
            Enum.GetValues<ApiRole>().ToDictionary(TokenFile.RoleWord));
        var file = new Option<string>("--tokens-file")
        {
            Description = "The tokens file (concentrator.api.tokens-file); created with mode 600 when missing",
            HelpName = "FILE",
            Required = true,
        };
        var add = new Command("add",
            "Make a new API token: its hash is appended to the tokens file, the token is printed once on stdout (reload the daemon to use it)")
        {
            name, role.Option, file,
        };
        add.SetAction(parse => Add(parse.GetRequiredValue(name), role.GetValue(parse), parse.GetRequiredValue(file)));
        return new Command("token", "Manage the management API's bearer tokens") { add };
    }

    private static int Add(string name, ApiRole role, string file)
    {
        string token;
        try
        {
            token = TokenFile.Add(file, name, role);
        }
        catch (TokenFileException e)
        {
            Console.Error.WriteLine($"concentrator: token add: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"concentrator: token add: cannot write {file}: {e.Message}");
            return ExitCodes.Failure;
        }

        Console.Out.WriteLine(token);
        Console.Error.WriteLine($"token '{name}' ({TokenFile.RoleWord(role)}) added to {file}; it is shown only this once. " +
            "Reload the daemon (concentrator reload, or SIGHUP) to use it.");
        return ExitCodes.Ok;
    }
}
