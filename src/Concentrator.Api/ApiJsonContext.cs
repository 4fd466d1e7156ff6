using System.Text.Json;
using System.Text.Json.Serialization;
using Concentrator.Api.Health;
using Concentrator.Api.Leases;
using Concentrator.Api.Ports;
using Concentrator.Api.Reload;
using Concentrator.Api.Sessions;
using Concentrator.Ports.Port;

namespace Concentrator.Api;

/// <summary>
/// The JSON contract of the management API, generated at compile time (no reflection): camelCase names, enums as
/// lowercase strings. The daemon serializes with it and the CLI verbs deserialize with it, so both sides agree.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    Converters = [typeof(LowercaseEnumConverter<DeviceState>)])]
[JsonSerializable(typeof(PortView))]
[JsonSerializable(typeof(List<PortView>))]
[JsonSerializable(typeof(Concentrator.Api.Cluster.ClusterStatusView))]
[JsonSerializable(typeof(SessionView))]
[JsonSerializable(typeof(List<SessionView>))]
[JsonSerializable(typeof(LineStateView))]
[JsonSerializable(typeof(LineChangeRequest))]
[JsonSerializable(typeof(BreakRequest))]
[JsonSerializable(typeof(WriteLockGrant))]
[JsonSerializable(typeof(ActionDone))]
[JsonSerializable(typeof(PowerRequest))]
[JsonSerializable(typeof(PowerView))]
[JsonSerializable(typeof(ReloadView))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
[JsonSerializable(typeof(LeaseAcquireRequest))]
[JsonSerializable(typeof(LeaseRenewRequest))]
[JsonSerializable(typeof(LeaseRevokeRequest))]
[JsonSerializable(typeof(LeaseGrantView))]
[JsonSerializable(typeof(LeaseView))]
[JsonSerializable(typeof(List<LeaseView>))]
[JsonSerializable(typeof(LeaseListView))]
[JsonSerializable(typeof(LeaseEventView))]
[JsonSerializable(typeof(Concentrator.Api.Automation.ExpectRequest))]
[JsonSerializable(typeof(Concentrator.Api.Automation.ExpectView))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>An enum as its lowercase name ("online"), both ways.</summary>
public sealed class LowercaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
