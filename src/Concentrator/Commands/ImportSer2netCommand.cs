using Concentrator.Client.Ser2net;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator import-ser2net FILE</c>: prints the HOCON equivalent of a ser2net.conf or ser2net.yaml on stdout;
/// every option that could not be mapped is printed as a warning on stderr. Exit 0 when at least one port was
/// imported, 1 when none could be.
/// </summary>
public static class ImportSer2netCommand
{
    public static int Run(string[] args)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            return Usage.Fail("import-ser2net: expected exactly one argument, the ser2net.conf or ser2net.yaml file");
        }

        string text;
        try
        {
            text = args[0] == "-" ? Console.In.ReadToEnd() : File.ReadAllText(args[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"concentrator: import-ser2net: cannot read {args[0]}: {e.Message}");
            return ExitCodes.Failure;
        }

        ImportResult result;
        try
        {
            result = Ser2netImporter.Convert(text, args[0]);
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
