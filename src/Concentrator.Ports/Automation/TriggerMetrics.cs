using System.Diagnostics;
using System.Diagnostics.Metrics;
using Concentrator.Ports.Metrics;

namespace Concentrator.Ports.Automation;

/// <summary>
/// concentrator_trigger_matches_total{port, trigger}: every match of a trigger's pattern that raised it or was held back
/// by its rate limit. Tags are bounded: trigger names come from the configuration.
/// </summary>
public static class TriggerMetrics
{
    private static readonly Meter Meter = new(PortMetrics.MeterName);

    private static readonly Counter<long> Matches =
        Meter.CreateCounter<long>("concentrator.trigger.matches", "{match}", "Matches of a trigger's pattern (raised or held back by its rate limit)");

    public static void Matched(string port, string trigger) =>
        Matches.Add(1, new TagList { { "port", port }, { "trigger", trigger } });
}
