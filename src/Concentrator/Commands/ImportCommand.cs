using System.CommandLine;
using Concentrator.Client.Import;
using Concentrator.Client.Ser2net;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator import-ser2net | import-conserver | import-conman FILE</c>: prints the HOCON equivalent of another
/// console server's config on stdout; every item that could not be mapped is a warning on stderr (nothing is dropped
/// silently). Exit 0 when at least one port was imported, 1 when none could be or the file cannot be read.
/// </summary>
public static class ImportCommand
{
    public static Command Ser2net() => Create("import-ser2net", "ser2net.conf (3.x) or ser2net.yaml (4.x)",
        (text, file, _) => Ser2netImporter.Convert(text, file), basePort: false);

    public static Command Conserver() => Create("import-conserver", "conserver.cf", ConserverImporter.Convert, basePort: true);

    public static Command Conman() => Create("import-conman", "conman.conf", ConmanImporter.Convert, basePort: true);

    private static Command Create(string name, string what, Func<string, string, int, ImportResult> convert, bool basePort)
    {
        var file = new Argument<string>("FILE") { Description = $"The {what} to convert (- reads stdin)" };
        var firstPort = new Option<int>("--base-port")
        {
            Description = "The TCP port of the first console's listener; the next ones count up (default 7001)",
            DefaultValueFactory = _ => 7001,
        };
        var command = new Command(name,
            $"Print the HOCON equivalent of a {what} on stdout; what cannot be mapped is a warning on stderr. " +
            "Exit 1 when no port could be imported.")
        {
            file,
        };
        if (basePort)
        {
            command.Options.Add(firstPort);
        }

        command.SetAction(parse => Run(name, parse.GetRequiredValue(file), basePort ? parse.GetValue(firstPort) : 0, convert));
        return command;
    }

    private static int Run(string name, string file, int basePort, Func<string, string, int, ImportResult> convert)
    {
        if (basePort is < 0 or > 65535)
        {
            Console.Error.WriteLine($"concentrator: {name}: --base-port {basePort}: expected 1..65535");
            return ExitCodes.Failure;
        }

        string text;
        try
        {
            text = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"concentrator: {name}: cannot read {file}: {e.Message}");
            return ExitCodes.Failure;
        }

        ImportResult result;
        try
        {
            result = convert(text, file, basePort);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"concentrator: {name}: {(e is ImportFormatException ? file + ": " : "")}{e.Message}");
            return ExitCodes.Failure;
        }

        Console.Out.Write(result.Hocon);
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        return result.PortCount > 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
