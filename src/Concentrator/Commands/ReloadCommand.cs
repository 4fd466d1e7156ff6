using System.CommandLine;
using Concentrator.Api;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator reload</c>: the running daemon re-reads its config file; sessions stay connected. Exit 2 when the
/// config is invalid (every problem is printed, nothing changed), 1 when it could not be applied.
/// </summary>
public static class ReloadCommand
{
    public static Command Create()
    {
        var api = new ApiOptions();
        var command = new Command("reload",
            "Make the running daemon re-read its config file and apply it in place (like SIGHUP); sessions stay connected. " +
            "A config with any problem changes nothing.");
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse)
    {
        using var client = api.Client(parse);
        var answer = await client.PostAsync("/api/reload", ApiJsonContext.Default.ReloadView).ConfigureAwait(false);
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: reload: {answer.Error}");
            return answer.ExitCode;
        }

        if (parse.GetValue(api.Json))
        {
            Console.Out.WriteLine(answer.Json);
            return ExitCodes.Ok;
        }

        Console.Out.WriteLine($"reloaded: {answer.Value}");
        foreach (var note in answer.Value!.Notes)
        {
            Console.Out.WriteLine($"note: {note}");
        }

        return ExitCodes.Ok;
    }
}
