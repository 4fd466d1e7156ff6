namespace Concentrator.Devices;

/// <summary>
/// Line settings as words (parity = even, stop-bits = 1.5, flow-control = rtscts): the one vocabulary the config, the
/// management API, the CLI, the dashboard and the ser2net import share, parsed and written here only, so a word
/// accepted in one place is accepted (and printed) the same everywhere. Lists are in the order errors name them.
/// </summary>
public static class LineWords
{
    public static IReadOnlyList<(string Word, Parity Value)> Parities { get; } =
        [("none", Parity.None), ("odd", Parity.Odd), ("even", Parity.Even), ("mark", Parity.Mark), ("space", Parity.Space)];

    public static IReadOnlyList<(string Word, StopBits Value)> StopBits { get; } =
        [("1", Devices.StopBits.One), ("1.5", Devices.StopBits.OnePointFive), ("2", Devices.StopBits.Two)];

    public static IReadOnlyList<(string Word, FlowControl Value)> FlowControls { get; } =
        [("none", FlowControl.None), ("xonxoff", FlowControl.XonXoff), ("rtscts", FlowControl.RtsCts)];

    public static string Of(Parity parity) => Parities.First(p => p.Value == parity).Word;

    public static string Of(StopBits stopBits) => StopBits.First(p => p.Value == stopBits).Word;

    public static string Of(FlowControl flow) => FlowControls.First(p => p.Value == flow).Word;

    /// <summary>The parity's letter in the short form ("8N1"): the word's first letter, upper case.</summary>
    public static char Letter(Parity parity) => char.ToUpperInvariant(Of(parity)[0]);

    /// <summary>The parity a short form's letter (N, O, E, M, S; any case) names, or null.</summary>
    public static Parity? ParityOfLetter(char letter) =>
        Parities.Where(p => char.ToUpperInvariant(p.Word[0]) == char.ToUpperInvariant(letter)).Select(p => (Parity?)p.Value).FirstOrDefault();

    /// <summary>The value named by <paramref name="word"/> (any case), or null.</summary>
    public static T? Parse<T>(IReadOnlyList<(string Word, T Value)> choices, string word) where T : struct =>
        choices.Where(c => string.Equals(c.Word, word, StringComparison.OrdinalIgnoreCase)).Select(c => (T?)c.Value).FirstOrDefault();

    /// <summary>The accepted words as error messages name them: "none | odd | even | mark | space".</summary>
    public static string Choices<T>(IReadOnlyList<(string Word, T Value)> choices) => string.Join(" | ", choices.Select(c => c.Word));
}
