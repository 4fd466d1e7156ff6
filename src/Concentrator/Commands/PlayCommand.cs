using System.CommandLine;
using System.Globalization;
using Concentrator.Client.Recording;

namespace Concentrator.Commands;

/// <summary><c>concentrator play FILE [--speed N]</c>: replays a recording in this terminal with its timing.</summary>
public static class PlayCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "An asciicast v2 recording (.cast), e.g. from GET /api/recordings/ID" };
        var speed = new Option<double>("--speed")
        {
            Description = "Play this many times faster (0.5 is half speed); pauses are cut to 5 s",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1000)
                {
                    return value;
                }

                result.AddError($"--speed expects a number above 0 up to 1000 (e.g. 2 or 0.5), not '{text}'");
                return 1;
            },
        };
        var command = new Command("play", "Replay a recording in this terminal with its timing (output only; markers say who typed)") { file, speed };
        command.SetAction((parse, cancel) => PlayAsync(parse.GetRequiredValue(file), parse.GetValue(speed), cancel));
        return command;
    }

    private static async Task<int> PlayAsync(string path, double speed, CancellationToken cancel)
    {
        try
        {
            using var reader = new StreamReader(path);
            using var stdout = Console.OpenStandardOutput();
            await new CastPlayer(speed).PlayAsync(reader, stdout, cancel).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            Console.Error.WriteLine($"concentrator: play: {path}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
