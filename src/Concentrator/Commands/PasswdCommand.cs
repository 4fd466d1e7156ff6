using System.CommandLine;
using Concentrator.Ports.Security;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator passwd --users-file FILE NAME [--groups a,b]</c>: sets NAME's password (read from the first line
/// of stdin, so scripts can pipe it and it never shows in a process list) in the users file, written atomically
/// with mode 0600. Without --groups the user keeps the groups it had.
/// </summary>
public static class PasswdCommand
{
    public static Command Create()
    {
        var usersFile = new Option<string>("--users-file")
        {
            Description = "The users file (security.users-file of the daemon's config); created when missing",
            HelpName = "FILE",
            Required = true,
        };
        var name = new Argument<string>("NAME") { Description = "The user name (letters, digits, '.', '_', '-')" };
        var groups = new Option<string>("--groups")
        {
            Description = "Comma-separated groups, named in ACLs as @group (default: keep the user's groups)",
            HelpName = "a,b",
        };
        var command = new Command("passwd",
            "Set a user's password in a users file; the password is read from stdin (first line). The file is written " +
            "atomically with mode 0600; the daemon reads it at start and on reload.")
        {
            name, usersFile, groups,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(usersFile), parse.GetRequiredValue(name), parse.GetValue(groups)));
        return command;
    }

    private static int Run(string usersFile, string name, string? groups)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.Write($"password for {name}: ");
        }

        var password = Console.In.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("concentrator passwd: no password on stdin");
            return ExitCodes.Usage;
        }

        var groupList = groups is null ? null : groups.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            UsersFileWriter.SetPassword(usersFile, name, password, groupList);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"concentrator passwd: {e.Message.Split(" (Parameter", 2)[0]}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"concentrator passwd: {e.Message}");
            return ExitCodes.Failure;
        }

        Console.Error.WriteLine($"concentrator passwd: {name} set in {usersFile}");
        return ExitCodes.Ok;
    }
}
