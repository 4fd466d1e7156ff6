using System.Text.Json.Serialization;
using Concentrator.Api.Sessions;
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
/// <param name="Line">Line settings in effect (the view the dashboard's is built on).</param>
/// <param name="Modem">Control lines as set and modem inputs as read: the snapshot's own record, whose JSON is the view.</param>
/// <param name="Counters">Traffic and trouble since the daemon started the port: the snapshot's own record, as Modem.</param>
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
    ModemLines Modem,
    PortCounters Counters,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<string> ListenersDown,
    IReadOnlyList<SessionView> Sessions,
    string? Node = null)
{
    public static PortView From(PortSnapshot p, string? node = null) => new(p.Name, p.State, p.StateSince, p.StateDetail, p.Device, p.KernelNode,
        LineView.From(p.Line), p.Modem, p.Counters, p.Tags, p.Listeners, p.ListenersDown,
        [.. p.Sessions.Select(SessionView.From)], node)
    {
        RaisedTriggers = p.RaisedTriggers,
        Power = p.Power,
    };

    /// <summary>The port's triggers raised now (port key triggers).</summary>
    public IReadOnlyList<string> RaisedTriggers { get; init; } = [];

    /// <summary>The power actions the port has commands for (port key power); empty without power control.</summary>
    public IReadOnlyList<string> Power { get; init; } = [];
}

/// <summary>What PUT /api/ports/{name}/line answers: the line settings and modem lines in effect after the change.</summary>
public sealed record LineStateView(LineView Line, ModemLines Modem)
{
    public static LineStateView From(PortLineState state) => new(LineView.From(state.Line), ModemLines.From(state));
}

/// <summary>An action that was carried out, in words (e.g. "session lab:3 closed").</summary>
public sealed record ActionDone(string Done);
