namespace Concentrator.Ports.Automation;

/// <summary>
/// One rule on a port's output (port key <c>triggers { NAME { ... } }</c>): <see cref="Match"/> raises it; with a
/// <see cref="Clear"/> pattern it stays raised (later matches do nothing) until that pattern clears it, without one
/// every match fires. A firing runs the actions, at most <see cref="AtMostCount"/> per <see cref="AtMostPer"/>
/// (firings beyond that are counted, their actions not run). Patterns are kept as text (the settings compare by
/// value for reloads); the trigger book compiles them.
/// </summary>
public sealed record TriggerSettings(
    string Name,
    string Match,
    string? Clear = null,
    Uri? Webhook = null,
    IReadOnlyList<string>? Command = null,
    bool RevokeLease = false,
    int AtMostCount = 0,
    TimeSpan AtMostPer = default)
{
    /// <summary>How long a trigger's command may run before it is killed.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    public bool RateLimited => AtMostCount > 0 && AtMostPer > TimeSpan.Zero;

    public bool Equals(TriggerSettings? other) =>
        other is not null && Name == other.Name && Match == other.Match && Clear == other.Clear && Webhook == other.Webhook &&
        (Command ?? []).SequenceEqual(other.Command ?? []) && RevokeLease == other.RevokeLease &&
        AtMostCount == other.AtMostCount && AtMostPer == other.AtMostPer;

    public override int GetHashCode() => HashCode.Combine(Name, Match, Clear);
}
