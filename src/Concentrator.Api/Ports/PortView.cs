using System.Text.Json.Serialization;
using Concentrator.Api.Sessions;
using Concentrator.Devices;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;

namespace Concentrator.Api.Ports;

/// <summary>One port as GET /api/ports shows it.</summary>
/// <param name="Name">The port's name in the config.</param>
/// <param name="State">opening, online or offline.</param>
/// <param name="StateSince">When the port entered <paramref name="State"/>.</param>
/// <param name="StateDetail">Why it is offline (the last error), when it is.</param>
/// <param name="Device">The configured device path (or sim:...).</param>
/// <param name="KernelNode">The device node the path resolved to when it was opened (e.g. /dev/ttyUSB0).</param>
/// <param name="Line">Line settings in effect.</param>
/// <param name="Modem">Control lines as set and modem inputs as read.</param>
/// <param name="Counters">Traffic and trouble since the daemon started the port.</param>
/// <param name="Tags">Words a scheduler matches ports by.</param>
/// <param name="Listeners">Where the port is served, e.g. "rfc2217 on 127.0.0.1:7000".</param>
/// <param name="ListenersDown">Listeners that stopped accepting on their own.</param>
/// <param name="Sessions">Connected sessions, oldest first.</param>
/// <param name="Node">The cluster node that has the port (null on a single host).</param>
public sealed record PortView(
    string Name,
    [property: JsonConverter(typeof(LowercaseEnumConverter<DeviceState>))] DeviceState State,
    DateTimeOffset StateSince,
    string? StateDetail,
    string Device,
    string? KernelNode,
    LineView Line,
    ModemView Modem,
    CountersView Counters,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<string> ListenersDown,
    IReadOnlyList<SessionView> Sessions,
    string? Node = null)
{
    public static PortView From(PortSnapshot p, string? node = null) => new(p.Name, p.State, p.StateSince, p.StateDetail, p.Device, p.KernelNode,
        LineView.From(p.Line), ModemView.From(p.Modem), CountersView.From(p.Counters), p.Tags, p.Listeners, p.ListenersDown,
        [.. p.Sessions.Select(SessionView.From)], node);
}

/// <summary>Line settings in the config's words: <c>{"baud":9600,"dataBits":8,"parity":"even","stopBits":"1","flowControl":"none"}</c>.</summary>
public sealed record LineView(int Baud, int DataBits, string Parity, string StopBits, string FlowControl)
{
    public static LineView From(LineSettings line) =>
        new(line.BaudRate, line.DataBits, LineWords.Of(line.Parity), LineWords.Of(line.StopBits), LineWords.Of(line.FlowControl));

    /// <summary>"9600 8E1", as the daemon log and serve --check write it.</summary>
    public override string ToString() =>
        $"{Baud} {DataBits}{char.ToUpperInvariant(Parity[0])}{StopBits}{(FlowControl == "none" ? "" : " " + FlowControl)}";
}

/// <summary>Control lines as set (DTR, RTS, break) and modem inputs as read (CTS, DSR, RI, CD).</summary>
public sealed record ModemView(bool Dtr, bool Rts, bool Break, bool Cts, bool Dsr, bool Ri, bool Cd)
{
    public static ModemView From(ModemLines m) => new(m.Dtr, m.Rts, m.Break, m.Cts, m.Dsr, m.Ri, m.Cd);
}

/// <summary>A port's counters; see <see cref="PortCounters"/>.</summary>
public sealed record CountersView(long BytesFromDevice, long BytesToDevice, long BytesDiscarded, long BytesDropped, long Reopens,
    long SessionsOpened, long SessionsRefused)
{
    public static CountersView From(PortCounters c) =>
        new(c.BytesFromDevice, c.BytesToDevice, c.BytesDiscarded, c.BytesDropped, c.Reopens, c.SessionsOpened, c.SessionsRefused);
}

/// <summary>What PUT /api/ports/{name}/line answers: the line settings and modem lines in effect after the change.</summary>
public sealed record LineStateView(LineView Line, ModemView Modem)
{
    public static LineStateView From(PortLineState state) => new(LineView.From(state.Line), ModemView.From(ModemLines.From(state)));
}

/// <summary>An action that was carried out, in words (e.g. "session lab:3 closed").</summary>
public sealed record ActionDone(string Done);
