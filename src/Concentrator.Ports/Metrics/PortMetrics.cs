using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Concentrator.Ports.Metrics;

/// <summary>
/// The daemon's instruments (Meter <see cref="MeterName"/>), and the tags of one port cached so that recording on
/// the data path is a Counter.Add with a prebuilt tag list: no allocation per chunk. Tags are bounded: the port
/// name, the transport (raw, telnet, rfc2217) and a refusal reason code. Never a session id or a client address,
/// which would grow the series without bound.
/// </summary>
public sealed class PortMetrics
{
    /// <summary>The meter exporters subscribe to (the Prometheus exporter at GET /metrics).</summary>
    public const string MeterName = "Concentrator";

    private static readonly Meter Meter = new(MeterName, typeof(PortMetrics).Assembly.GetName().Version?.ToString(3));

    // Names use the OpenTelemetry style; the Prometheus exporter turns "concentrator.device.read" with unit "By"
    // into concentrator_device_read_bytes_total.
    private static readonly Counter<long> DeviceRead =
        Meter.CreateCounter<long>("concentrator.device.read", "By", "Bytes the device printed");

    private static readonly Counter<long> DeviceWritten =
        Meter.CreateCounter<long>("concentrator.device.written", "By", "Bytes written to the device");

    private static readonly Counter<long> DeviceReopens =
        Meter.CreateCounter<long>("concentrator.device.reopens", "{reopen}", "Times the device came back online after going offline");

    private static readonly Counter<long> DeviceModemPolls =
        Meter.CreateCounter<long>("concentrator.device.modem_polls", "{read}",
            "Times the device's modem inputs were polled (only while an RFC 2217 client wants modem state; a USB round trip each)");

    private static readonly Gauge<int> PortOnline =
        Meter.CreateGauge<int>("concentrator.port.online", null, "1 while the port's device is online, else 0");

    private static readonly UpDownCounter<int> SessionsActive =
        Meter.CreateUpDownCounter<int>("concentrator.sessions.active", "{session}", "Sessions connected now");

    private static readonly Counter<long> SessionsOpened =
        Meter.CreateCounter<long>("concentrator.sessions.opened", "{session}", "Sessions admitted");

    private static readonly Counter<long> SessionsRefused =
        Meter.CreateCounter<long>("concentrator.sessions.refused", "{session}", "Connections refused, by reason");

    private static readonly Counter<long> BytesDropped =
        Meter.CreateCounter<long>("concentrator.session.dropped", "By", "Device bytes dropped because a client read too slowly");

    private static readonly Histogram<double> SessionDuration = Meter.CreateHistogram<double>("concentrator.session.duration", "s",
        "How long sessions stayed connected", advice: new InstrumentAdvice<double>
        {
            // Console sessions last from seconds (a script) to days (a person's login); the default buckets stop at 10 s.
            HistogramBucketBoundaries = [1, 10, 60, 300, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
        });

    private readonly TagList _port;
    private readonly TagList[] _byTransport;

    public PortMetrics(string port)
    {
        _port = new TagList { { "port", port } };
        _byTransport = [.. Transports.Select(t => new TagList { { "port", port }, { "transport", t } })];
    }

    /// <summary>The transport tag values, indexed by <see cref="Configuration.ListenerProtocol"/> (one per protocol, in its order).</summary>
    private static readonly string[] Transports =
        [.. Enum.GetValues<Configuration.ListenerProtocol>().Select(Configuration.ListenerSettings.ProtocolName)];

    public void Read(int bytes) => DeviceRead.Add(bytes, _port);

    public void Written(int bytes) => DeviceWritten.Add(bytes, _port);

    public void Reopened() => DeviceReopens.Add(1, _port);

    public void ModemPolled() => DeviceModemPolls.Add(1, _port);

    public void Online(bool online) => PortOnline.Record(online ? 1 : 0, _port);

    public void Dropped(long bytes) => BytesDropped.Add(bytes, _port);

    public void SessionOpened(Configuration.ListenerProtocol transport)
    {
        SessionsOpened.Add(1, _byTransport[(int)transport]);
        SessionsActive.Add(1, _byTransport[(int)transport]);
    }

    public void SessionClosed(Configuration.ListenerProtocol transport, TimeSpan connected)
    {
        SessionsActive.Add(-1, _byTransport[(int)transport]);
        SessionDuration.Record(connected.TotalSeconds, _byTransport[(int)transport]);
    }

    /// <summary>A refusal; <paramref name="reason"/> is a short code (e.g. max-sessions), never free text.</summary>
    public void Refused(string reason)
    {
        var tags = _port;
        tags.Add("reason", reason);
        SessionsRefused.Add(1, tags);
    }
}
