using System.CommandLine;
using Concentrator.Client.Ser2net;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator import-ser2net FILE</c>: prints the HOCON equivalent of a ser2net.conf or ser2net.yaml on stdout;
/// every option that could not be mapped is printed as a warning on stderr. Exit 0 when at least one port was
/// imported, 1 when none could be.
/// </summary>
public static class ImportSer2netCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The ser2net.conf or ser2net.yaml to convert (- reads stdin)" };
        var command = new Command("import-ser2net",
            "Print the HOCON equivalent of a ser2net.conf / ser2net.yaml on stdout; what cannot be mapped is a " +
            "warning on stderr. Exit 1 when no port could be imported.")
        {
            file,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(file)));
        return command;
    }

    private static int Run(string file)
    {
        string text;
        try
        {
            text = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"concentrator: import-ser2net: cannot read {file}: {e.Message}");
            return ExitCodes.Failure;
        }

        ImportResult result;
        try
        {
            result = Ser2netImporter.Convert(text, file);
        }
        catch (Ser2netFormatException e)
        {
            Console.Error.WriteLine($"concentrator: import-ser2net: {e.Message}");
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
