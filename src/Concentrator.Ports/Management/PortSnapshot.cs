using Concentrator.Devices;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Management;

/// <summary>Everything an operator sees of one port at one moment (the management API, the CLI, the dashboard).</summary>
public sealed record PortSnapshot(
    string Name,
    string Device,
    DeviceState State,
    DateTimeOffset StateSince,
    string? StateDetail,
    string? KernelNode,
    LineSettings Line,
    ModemLines Modem,
    PortCounters Counters,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<SessionSnapshot> Sessions)
{
    /// <summary>Listeners (as in <see cref="Listeners"/>) that stopped accepting on their own; empty when all are up.</summary>
    public IReadOnlyList<string> ListenersDown { get; init; } = [];

    /// <summary>The port's triggers that are raised now (see port key <c>triggers</c>); empty when none.</summary>
    public IReadOnlyList<string> RaisedTriggers { get; init; } = [];

    /// <summary>The power actions the port has commands for ("on", "off", "cycle", "status"); empty without power control.</summary>
    public IReadOnlyList<string> Power { get; init; } = [];
}

/// <summary>Control lines as set (DTR, RTS, break) and modem inputs as read (CTS, DSR, RI, CD).</summary>
public sealed record ModemLines(bool Dtr, bool Rts, bool Break, bool Cts, bool Dsr, bool Ri, bool Cd)
{
    public static ModemLines From(PortLineState state) => new(state.Dtr, state.Rts, state.Break,
        state.Modem.HasFlag(ModemStatus.ClearToSend), state.Modem.HasFlag(ModemStatus.DataSetReady),
        state.Modem.HasFlag(ModemStatus.RingIndicator), state.Modem.HasFlag(ModemStatus.CarrierDetect));
}

/// <summary>A port's traffic and trouble since the daemon started it.</summary>
/// <param name="BytesFromDevice">Bytes the device printed.</param>
/// <param name="BytesToDevice">Bytes written to the device.</param>
/// <param name="BytesDiscarded">Client bytes discarded while the device was offline.</param>
/// <param name="BytesDropped">Device bytes dropped for slow clients, over every session so far.</param>
/// <param name="Reopens">Times the device came back online after going offline.</param>
/// <param name="SessionsOpened">Sessions admitted so far.</param>
/// <param name="SessionsRefused">Connections refused so far.</param>
public sealed record PortCounters(
    long BytesFromDevice,
    long BytesToDevice,
    long BytesDiscarded,
    long BytesDropped,
    long Reopens,
    long SessionsOpened,
    long SessionsRefused);

/// <summary>One session of a port. <see cref="Id"/> is "port:number", unique in the daemon.</summary>
public sealed record SessionSnapshot(
    string Id,
    int Number,
    string Port,
    string Peer,
    string Principal,
    string Role,
    string Protocol,
    string Listener,
    long BytesIn,
    long BytesOut,
    long Dropped,
    DateTimeOffset Since)
{
    /// <summary>The client terminal's size ("120x40") when it told one (SSH entry, the browser terminal), else null.</summary>
    public string? Terminal { get; init; }

    public static string IdOf(string port, int number) => $"{port}:{number}";

    /// <summary>Splits "port:number" at the last colon; false for anything else.</summary>
    public static bool TryParseId(string id, out string port, out int number)
    {
        var colon = id.LastIndexOf(':');
        port = colon > 0 ? id[..colon] : "";
        number = 0;
        return colon > 0 && int.TryParse(id.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out number) && number > 0;
    }
}
