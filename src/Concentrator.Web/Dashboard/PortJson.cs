using System.Text.Json;
using System.Text.Json.Serialization;
using Concentrator.Devices;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;

namespace Concentrator.Web.Dashboard;

/// <summary>A port as the dashboard page reads it (camelCase JSON; words rather than enum numbers).</summary>
public sealed record PortJson(
    string Name,
    string Device,
    string State,
    DateTimeOffset Since,
    string? Detail,
    string? KernelNode,
    LineJson Line,
    ModemLines Modem,
    PortCounters Counters,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<SessionSnapshot> Sessions)
{
    public static PortJson From(PortSnapshot s) => new(s.Name, s.Device, StateWord(s.State), s.StateSince, s.StateDetail,
        s.KernelNode, LineJson.From(s.Line), s.Modem, s.Counters, s.Tags, s.Listeners, s.Sessions)
    {
        RaisedTriggers = s.RaisedTriggers,
        Power = s.Power,
    };

    /// <summary>The port's triggers raised now (port key triggers), shown on its row.</summary>
    public IReadOnlyList<string> RaisedTriggers { get; init; } = [];

    /// <summary>The power actions the port has (its row's power buttons); empty without power control.</summary>
    public IReadOnlyList<string> Power { get; init; } = [];

    public static string StateWord(DeviceState state) => state switch
    {
        DeviceState.Online => "online",
        DeviceState.Offline => "offline",
        _ => "opening",
    };
}

/// <summary>
/// Line settings as the management API shows them (<see cref="LineView"/>, the one mapping) plus the short form the
/// dashboard prints ("115200 8N1"), last in the JSON as before.
/// </summary>
public sealed record LineJson : LineView
{
    private LineJson(LineView view, string text) : base(view) => Text = text;

    [JsonPropertyOrder(1)]
    public string Text { get; }

    public static new LineJson From(LineSettings line) => new(LineView.From(line), line.ToString());
}

/// <summary>The first event of a dashboard's feed: who the caller is and which controls to show.</summary>
public sealed record HelloJson(string Principal, bool CanOperate, bool CanWrite, string Version);

/// <summary>A dashboard action's answer.</summary>
public sealed record ActionResultJson(string Result);

/// <summary>The body of a line change from the dashboard: the new baud rate.</summary>
public sealed record LineChangeJson(int? Baud);

/// <summary>The body of a power switch from the dashboard: <c>{"action":"cycle"}</c>.</summary>
public sealed record PowerJson(string? Action);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PortJson))]
[JsonSerializable(typeof(List<PortJson>))]
[JsonSerializable(typeof(HelloJson))]
[JsonSerializable(typeof(ClusterJson))]
[JsonSerializable(typeof(ActionResultJson))]
[JsonSerializable(typeof(LineChangeJson))]
[JsonSerializable(typeof(PowerJson))]
[JsonSerializable(typeof(string))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
