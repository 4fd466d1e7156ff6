using Concentrator.Devices;

namespace Concentrator.Client.Rfc2217;

/// <summary>A partial change of line settings: only the set fields are sent.</summary>
public sealed record LineChange(
    int? BaudRate = null, int? DataBits = null, Parity? Parity = null, StopBits? StopBits = null, FlowControl? FlowControl = null)
{
    public bool IsEmpty => BaudRate is null && DataBits is null && Parity is null && StopBits is null && FlowControl is null;

    /// <summary>All fields of <paramref name="line"/>.</summary>
    public static LineChange From(LineSettings line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new(line.BaudRate, line.DataBits, line.Parity, line.StopBits, line.FlowControl);
    }

    /// <summary>The fields that differ between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static LineChange Diff(LineSettings before, LineSettings after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return new(
            before.BaudRate != after.BaudRate ? after.BaudRate : null,
            before.DataBits != after.DataBits ? after.DataBits : null,
            before.Parity != after.Parity ? after.Parity : null,
            before.StopBits != after.StopBits ? after.StopBits : null,
            before.FlowControl != after.FlowControl ? after.FlowControl : null);
    }

    /// <summary>This change overridden by the set fields of <paramref name="later"/>.</summary>
    public LineChange Merge(LineChange later)
    {
        ArgumentNullException.ThrowIfNull(later);
        return new(later.BaudRate ?? BaudRate, later.DataBits ?? DataBits, later.Parity ?? Parity,
            later.StopBits ?? StopBits, later.FlowControl ?? FlowControl);
    }

    public override string ToString() =>
        string.Join(" ", new[]
        {
            BaudRate is { } b ? $"baud={b}" : null,
            DataBits is { } d ? $"data-bits={d}" : null,
            Parity is { } p ? $"parity={LineWords.Of(p)}" : null,
            StopBits is { } s ? $"stop-bits={LineWords.Of(s)}" : null,
            FlowControl is { } f ? $"flow-control={LineWords.Of(f)}" : null,
        }.Where(x => x is not null));
}
