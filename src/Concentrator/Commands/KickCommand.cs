using System.CommandLine;
using Concentrator.Api;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary><c>concentrator kick ID</c>: close a session ("port:number"); its client is told why, then disconnected.</summary>
public static class KickCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var id = new Argument<string>("ID") { Description = "The session id PORT:NUMBER (see concentrator sessions PORT)" };
        var command = new Command("kick", "Disconnect a session of the running daemon (its client is told why first)") { id };
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse, parse.GetRequiredValue(id)));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse, string id)
    {
        using var client = api.Client(parse);
        var answer = await client.DeleteAsync($"/api/sessions/{Uri.EscapeDataString(id)}", ApiJsonContext.Default.ActionDone).ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: kick: {answer.Error}");
            return answer.ExitCode;
        }

        Console.Out.WriteLine(parse.GetValue(api.Json) ? answer.Json : answer.Value!.Done);
        return ExitCodes.Ok;
    }
}
