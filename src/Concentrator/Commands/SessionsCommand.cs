using System.CommandLine;
using Concentrator.Api;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary><c>concentrator sessions NAME [--json]</c>: the sessions of one port, with the ids <c>kick</c> takes.</summary>
public static class SessionsCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var port = new Argument<string>("NAME") { Description = "The port's name (see concentrator ports)" };
        var command = new Command("sessions", "List the sessions of one port: id (for kick), peer, principal, role, transport, bytes") { port };
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse, parse.GetRequiredValue(port)));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse, string port)
    {
        using var client = api.Client(parse);
        var answer = await client.GetAsync($"/api/ports/{Uri.EscapeDataString(port)}/sessions", ApiJsonContext.Default.ListSessionView)
            .ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: sessions: {answer.Error}");
            return answer.ExitCode;
        }

        Console.Out.Write(parse.GetValue(api.Json)
            ? answer.Json + Environment.NewLine
            : answer.Value!.Count == 0 ? $"no sessions on port {port}\n" : PortTable.Sessions(answer.Value!, DateTimeOffset.UtcNow));
        return ExitCodes.Ok;
    }
}
