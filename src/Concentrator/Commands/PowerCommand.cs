using System.CommandLine;
using System.Text.Json;
using Concentrator.Api;
using Concentrator.Api.Ports;
using Concentrator.Management;
using Concentrator.Ports.Power;

namespace Concentrator.Commands;

/// <summary><c>concentrator power NAME on|off|cycle|status</c>: runs the port's power command; prints what it printed.</summary>
public static class PowerCommand
{
    /// <summary>The daemon answers once the command ended (its own timeout is 30 s unless configured).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static Command Create()
    {
        var api = new ApiOptions();
        var name = new Argument<string>("NAME") { Description = "The port" };
        var action = new Argument<string>("ACTION") { Description = "on, off, cycle or status" };
        action.AcceptOnlyFromAmong([.. PowerActions.Words]);
        var command = new Command("power", "Switch the power bound to a port, or ask its status (only who may write the port; the lease holder while it is leased)")
        {
            name,
            action,
        };
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse, parse.GetRequiredValue(name), parse.GetRequiredValue(action)));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse, string name, string action)
    {
        using var client = api.Client(parse);
        var body = JsonSerializer.Serialize(new PowerRequest(action), ApiJsonContext.Default.PowerRequest);
        var answer = await client.SendAsync(HttpMethod.Post, $"/api/ports/{Uri.EscapeDataString(name)}/power", body,
            ApiJsonContext.Default.PowerView, timeout: Timeout).ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: power: {answer.Error}");
            return answer.ExitCode;
        }

        var view = answer.Value!;
        Console.Out.WriteLine(parse.GetValue(api.Json) ? answer.Json : $"power {view.Action} {(view.Ok ? "ok" : "failed")}\n{view.Output.TrimEnd()}".TrimEnd());
        return view.Ok ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
