using System.CommandLine;
using System.CommandLine.Invocation;

namespace Concentrator.Commands;

/// <summary><c>--version</c> prints "concentrator 0.1.0" (the default would print the bare informational version).</summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"concentrator {BuildInfo.Version}");
        return ExitCodes.Ok;
    }
}
