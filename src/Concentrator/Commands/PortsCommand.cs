using System.CommandLine;
using Concentrator.Api;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary><c>concentrator ports [--json]</c>: every port of the running daemon: name, state, device, line, sessions, tags.</summary>
public static class PortsCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var command = new Command("ports", "List the running daemon's ports (name, state, device, baud/format, sessions, tags) through its management API");
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse)
    {
        using var client = api.Client(parse);
        var answer = await client.GetAsync("/api/ports", ApiJsonContext.Default.ListPortView).ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: ports: {answer.Error}");
            return answer.ExitCode;
        }

        Console.Out.Write(parse.GetValue(api.Json) ? answer.Json + Environment.NewLine : PortTable.Ports(answer.Value!));
        return ExitCodes.Ok;
    }
}
