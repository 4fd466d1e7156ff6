using Concentrator.Devices;

namespace Concentrator.Api.Ports;

/// <summary>Line settings as words, the same ones the HOCON config uses (parity = even, stop-bits = 1.5, flow-control = rtscts).</summary>
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

    /// <summary>The value named by <paramref name="word"/> (any case), or null.</summary>
    public static T? Parse<T>(IReadOnlyList<(string Word, T Value)> choices, string word) where T : struct =>
        choices.Where(c => string.Equals(c.Word, word, StringComparison.OrdinalIgnoreCase)).Select(c => (T?)c.Value).FirstOrDefault();

    public static string Choices<T>(IReadOnlyList<(string Word, T Value)> choices) => string.Join(" | ", choices.Select(c => c.Word));
}
