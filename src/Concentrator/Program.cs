using Concentrator.Commands;

namespace Concentrator;

/// <summary>Entry point: dispatches to one command per verb.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.Write(Usage.Text);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        if (args[0] is "--version" or "version")
        {
            Console.Out.WriteLine($"concentrator {BuildInfo.Version}");
            return ExitCodes.Ok;
        }

        var rest = args[1..];
        return args[0] switch
        {
            "serve" => await ServeCommand.RunAsync(rest).ConfigureAwait(false),
            "import-ser2net" => ImportSer2netCommand.Run(rest),
            "attach" => await AttachCommand.RunAsync(rest).ConfigureAwait(false),
            "pty" => await PtyCommand.RunAsync(rest).ConfigureAwait(false),
            "bridge" => await BridgeCommand.RunAsync(rest).ConfigureAwait(false),
            _ => Usage.Fail($"unknown command '{args[0]}'"),
        };
    }
}
