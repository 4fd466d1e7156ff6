using System.CommandLine;
using Concentrator.Ports.Security;
using Concentrator.Ports.Security.Ssh;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator passwd --users-file FILE NAME [--groups a,b]</c>: sets NAME's password (read from the first line
/// of stdin, so scripts can pipe it and it never shows in a process list) in the users file, written atomically
/// with mode 0600. Without --groups the user keeps the groups it had. <c>--add-key "ssh-ed25519 AAAA..."</c> and
/// <c>--remove-key</c> change the user's SSH keys instead (the SSH front door); no password is asked for then, and a
/// user added by --add-key has none.
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
        var addKey = new Option<string>("--add-key")
        {
            Description = "Give the user this SSH public key (a .pub line) instead of setting a password",
            HelpName = "\"ssh-ed25519 AAAA...\"",
        };
        var removeKey = new Option<string>("--remove-key")
        {
            Description = "Take this SSH public key from the user",
            HelpName = "\"ssh-ed25519 AAAA...\"",
        };
        var command = new Command("passwd",
            "Set a user's password in a users file; the password is read from stdin (first line). The file is written " +
            "atomically with mode 0600; the daemon reads it at start and on reload. --add-key/--remove-key change the " +
            "user's SSH keys instead.")
        {
            name, usersFile, groups, addKey, removeKey,
        };
        command.SetAction(parse =>
        {
            var (file, user, groupList) = (parse.GetRequiredValue(usersFile), parse.GetRequiredValue(name), parse.GetValue(groups));
            return (parse.GetValue(addKey), parse.GetValue(removeKey)) switch
            {
                ({ } _, { } _) => Fail(ExitCodes.Usage, "give --add-key or --remove-key, not both"),
                ({ } add, null) => ChangeKey(file, user, add, groupList, adding: true),
                (null, { } remove) => ChangeKey(file, user, remove, groupList, adding: false),
                _ => Run(file, user, groupList),
            };
        });
        return command;
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"concentrator passwd: {message}");
        return code;
    }

    private static int ChangeKey(string usersFile, string name, string keyText, string? groups, bool adding)
    {
        if (SshPublicKey.Parse(keyText, out var problem) is not { } key)
        {
            return Fail(ExitCodes.Usage, problem!);
        }

        if (key.IsCertificate)
        {
            return Fail(ExitCodes.Usage, "that is a certificate; certificates are accepted through security.ssh-user-ca, not per user");
        }

        try
        {
            if (adding)
            {
                UsersFileWriter.AddKey(usersFile, name, key, SplitGroups(groups));
                Console.Error.WriteLine($"concentrator passwd: {key.Type} key added to {name} in {usersFile}");
                return ExitCodes.Ok;
            }

            return UsersFileWriter.RemoveKey(usersFile, name, key)
                ? Fail(ExitCodes.Ok, $"{key.Type} key removed from {name} in {usersFile}")
                : Fail(ExitCodes.Failure, $"{name} has no such key in {usersFile}");
        }
        catch (ArgumentException e)
        {
            return Fail(ExitCodes.Usage, e.Message.Split(" (Parameter", 2)[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return Fail(ExitCodes.Failure, e.Message);
        }
    }

    private static string[]? SplitGroups(string? groups) =>
        groups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

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

        var groupList = SplitGroups(groups);
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
