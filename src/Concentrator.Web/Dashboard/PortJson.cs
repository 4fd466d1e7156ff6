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
        s.KernelNode, LineJson.From(s.Line), s.Modem, s.Counters, s.Tags, s.Listeners, s.Sessions);

    public static string StateWord(DeviceState state) => state switch
    {
        DeviceState.Online => "online",
        DeviceState.Offline => "offline",
        _ => "opening",
    };
}

/// <summary>Line settings in words, with the short form ("115200 8N1").</summary>
public sealed record LineJson(int Baud, int DataBits, string Parity, string StopBits, string FlowControl, string Text)
{
    public static LineJson From(LineSettings line) => new(line.BaudRate, line.DataBits,
        LineWords.Of(line.Parity), LineWords.Of(line.StopBits), LineWords.Of(line.FlowControl), line.ToString());
}

/// <summary>The first event of a dashboard's feed: who the caller is and which controls to show.</summary>
public sealed record HelloJson(string Principal, bool CanOperate, bool CanWrite, string Version);

/// <summary>A dashboard action's answer.</summary>
public sealed record ActionResultJson(string Result);

/// <summary>The body of a line change from the dashboard: the new baud rate.</summary>
public sealed record LineChangeJson(int? Baud);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PortJson))]
[JsonSerializable(typeof(List<PortJson>))]
[JsonSerializable(typeof(HelloJson))]
[JsonSerializable(typeof(ClusterJson))]
[JsonSerializable(typeof(ActionResultJson))]
[JsonSerializable(typeof(LineChangeJson))]
[JsonSerializable(typeof(string))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
