using System.Globalization;
using Akka.Configuration.Hocon;
using Concentrator.Devices;

namespace Concentrator.Ports.Configuration;

/// <summary>A port's keys, its listeners, console log and reopen backoff, and the checks across ports (listeners, logs, devices shared).</summary>
public static partial class ConfigLoader
{
    private sealed partial class Reader
    {
        private PortSettings? ReadPort(string name, HoconObject? port, HoconObject? defaults,
            string? deviceOverride = null, List<ListenerSettings>? listenersOverride = null)
        {
            if (port is not null)
            {
                CheckKeys(port, PortKeys, name, "");
            }

            var before = Errors.Count;

            HoconValue? Get(string key) =>
                port is not null && port.Items.TryGetValue(key, out var v) ? v
                : defaults is not null && defaults.Items.TryGetValue(key, out var d) ? d : null;

            var device = deviceOverride ?? (Get("device") is { } dv ? dv.GetString() : null);
            if (string.IsNullOrWhiteSpace(device))
            {
                Error(name, "device", null, "missing: the serial device path (e.g. /dev/serial/by-id/..., sim:demo, sim:echo, rfc2217://host:port, exec:PROGRAM ARGS)");
            }
            else if (!DeviceAddress.TryParse(device, out _, out var deviceError))
            {
                Error(name, "device", device, deviceError!);
            }
            else if (device.StartsWith("sim:", StringComparison.Ordinal) && !SerialDeviceFactory.IsSimulated(device))
            {
                Error(name, "device", device, $"unknown simulated device (expected {string.Join(" | ", SerialDeviceFactory.SimulatedNames)})");
            }

            var backend = Enum(name, "backend", Get("backend"), DeviceBackend.Auto,
                ("auto", DeviceBackend.Auto), ("posix", DeviceBackend.Posix), ("system-io-ports", DeviceBackend.SystemIoPorts));
            var baud = Int(name, "baud", Get("baud"), LineSettings.Default.BaudRate, 1, 100_000_000);
            var dataBits = Int(name, "data-bits", Get("data-bits"), 8, 5, 8);
            var parity = Enum(name, "parity", Get("parity"), Parity.None, [.. LineWords.Parities]);
            var stopBits = Enum(name, "stop-bits", Get("stop-bits"), StopBits.One, [.. LineWords.StopBits]);
            var flow = Enum(name, "flow-control", Get("flow-control"), FlowControl.None, [.. LineWords.FlowControls]);
            var banner = Get("banner") is { } b ? b.GetString() : null;
            var idle = Duration(name, "idle-timeout", Get("idle-timeout"), TimeSpan.Zero);
            var maxSessions = Int(name, "max-sessions", Get("max-sessions"), 16, 1, 10_000);
            var kickOld = Bool(name, "kick-old", Get("kick-old"), false);
            var writePolicy = Enum(name, "write-policy", Get("write-policy"), WritePolicy.Shared,
                ("shared", WritePolicy.Shared), ("exclusive", WritePolicy.Exclusive));
            var scrollback = Size(name, "scrollback", Get("scrollback"), 64 * 1024, 0, 1L << 30);
            var log = ReadLog(name, Get("log"));
            var (minBackoff, maxBackoff) = ReadReopen(name, Get("reopen"));
            var notices = Bool(name, "notices", Get("notices"), false);
            var tags = ReadTags(name, Get("tags"));
            var acl = ReadAcl(name, Get("acl"));
            var power = ReadPower(name, Get("power"));
            var recording = Enum(name, "recording", Get("recording"), Recording.RecordingMode.Off,
                ("off", Recording.RecordingMode.Off), ("output", Recording.RecordingMode.Output), ("all", Recording.RecordingMode.All));
            var listeners = listenersOverride ?? ReadListeners(name, Get("listeners"));
            var capture = ReadCapture(name, Get("capture"));
            var triggers = ReadTriggers(name, Get("triggers"));
            var escape = Get("escape") is { } e ? e.GetString() : "^Ec";
            if (!Sharing.EscapeSequence.TryParse(escape, out var parsedEscape))
            {
                Error(name, "escape", escape, "expected a caret letter and a character such as ^Ec or ^]x, or off");
            }

            if (Errors.Count != before || device is null)
            {
                return null;
            }

            return new PortSettings(name, device, backend, new LineSettings(baud, dataBits, parity, stopBits, flow),
                listeners, banner, idle, maxSessions, kickOld, writePolicy, scrollback, log, minBackoff, maxBackoff,
                parsedEscape is null ? null : escape, notices, tags, acl, recording)
            {
                Power = power,
                Capture = capture,
                Triggers = triggers,
            };
        }

        /// <summary>tags = ["rack-3", "board:rpi4"]: words a scheduler matches ports by; no spaces, no duplicates.</summary>
        private List<string> ReadTags(string port, HoconValue? value)
        {
            var tags = new List<string>();
            if (value is null || IsEmptyList(value))
            {
                return tags; // Akka's HOCON does not see "[]" as a list
            }

            if (!value.IsArray())
            {
                Error(port, "tags", Show(value), "expected a list of words, e.g. tags = [\"rack-3\", \"board:rpi4\"]");
                return tags;
            }

            foreach (var item in value.GetArray())
            {
                var tag = item.IsString() ? item.GetString() : null;
                if (string.IsNullOrWhiteSpace(tag) || tag.Any(char.IsWhiteSpace))
                {
                    Error(port, "tags", Show(item), "a tag is one word without spaces, e.g. board:rpi4");
                }
                else if (!tags.Contains(tag, StringComparer.Ordinal))
                {
                    tags.Add(tag);
                }
            }

            return tags;
        }

        private List<ListenerSettings> ReadListeners(string port, HoconValue? value)
        {
            var result = new List<ListenerSettings>();
            if (value is null || !value.IsArray())
            {
                Error(port, "listeners", value is null ? null : Show(value),
                    "missing: a list of listeners, e.g. listeners = [ { port = 7000, protocol = rfc2217 } ]");
                return result;
            }

            var items = value.GetArray();
            if (items.Count == 0)
            {
                Error(port, "listeners", "[]", "at least one listener is needed");
            }

            for (var i = 0; i < items.Count; i++)
            {
                var prefix = $"listeners[{i}].";
                if (!items[i].IsObject())
                {
                    Error(port, $"listeners[{i}]", Show(items[i]), "a listener must be an object { port = ..., protocol = ... }");
                    continue;
                }

                var l = items[i].GetObject();
                CheckKeys(l, ListenerKeys, port, prefix);
                if (!l.Items.ContainsKey("port"))
                {
                    Error(port, prefix + "port", null, "missing: the TCP port to listen on");
                }

                result.Add(ReadListener(port, l, prefix, Int(port, prefix + "port", l.Items.GetValueOrDefault("port"), 0, 1, 65535)));
            }

            return result;
        }

        private ListenerSettings ReadListener(string? port, HoconObject l, string prefix, int tcp)
        {
            HoconValue? Get(string key) => l.Items.TryGetValue(key, out var v) ? v : null;
            var bind = Address(port, prefix + "bind", Get("bind"));
            var protocol = Enum(port, prefix + "protocol", Get("protocol"), ListenerProtocol.Rfc2217,
                ("raw", ListenerProtocol.Raw), ("telnet", ListenerProtocol.Telnet), ("rfc2217", ListenerProtocol.Rfc2217),
                ("udp", ListenerProtocol.Udp));
            var access = Enum(port, prefix + "access", Get("access"), SessionAccess.ReadWrite,
                ("read-write", SessionAccess.ReadWrite), ("read-only", SessionAccess.ReadOnly));
            // Replay is on for watchers and humans; off for read-write raw/rfc2217, where a flashing tool must never see stale bytes.
            var replayDefault = access == SessionAccess.ReadOnly || protocol == ListenerProtocol.Telnet;
            var replay = Bool(port, prefix + "replay", Get("replay"), replayDefault);
            var queue = Size(port, prefix + "output-queue", Get("output-queue"), 1024 * 1024, 4096, 1L << 30);
            var overflow = Enum(port, prefix + "overflow", Get("overflow"),
                access == SessionAccess.ReadOnly ? OverflowPolicy.DropOldest : OverflowPolicy.Disconnect,
                ("drop-oldest", OverflowPolicy.DropOldest), ("disconnect", OverflowPolicy.Disconnect),
                ("backpressure", OverflowPolicy.Backpressure));
            if (overflow == OverflowPolicy.Backpressure && access == SessionAccess.ReadOnly)
            {
                Error(port, prefix + "overflow", "backpressure", "a read-only listener must never slow the device: use drop-oldest or disconnect");
            }

            var (tls, auth, sources) = ReadListenerSecurity(port, l, prefix, protocol, bind);
            if (protocol == ListenerProtocol.Udp)
            {
                CheckDatagramListener(port, prefix, tls, auth, Get("overflow"));
            }

            return new ListenerSettings(bind, tcp, protocol, access, replay, queue, overflow, tls, auth, sources, Get("overflow") is not null);
        }

        private ConsoleLogSettings? ReadLog(string port, HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(port, "log", Show(value), "must be an object { file = ..., timestamps = on, max-size = 10MiB, keep = 5 }");
                return null;
            }

            var log = value.GetObject();
            CheckKeys(log, LogKeys, port, "log.");
            HoconValue? Get(string key) => log.Items.TryGetValue(key, out var v) ? v : null;
            var file = Get("file")?.GetString();
            if (string.IsNullOrWhiteSpace(file))
            {
                Error(port, "log.file", null, "missing: the log file path");
                return null;
            }

            // {port} lets concentrator.defaults and discovery give every port its own file.
            file = port == "discovery" ? file : file.Replace(PortPlaceholder, port, StringComparison.Ordinal);
            var full = FullPath(file);
            return new ConsoleLogSettings(full,
                Bool(port, "log.timestamps", Get("timestamps"), true),
                Size(port, "log.max-size", Get("max-size"), 10L * 1024 * 1024, 1024, long.MaxValue),
                Int(port, "log.keep", Get("keep"), 5, 0, 1000));
        }

        private (TimeSpan Min, TimeSpan Max) ReadReopen(string port, HoconValue? value)
        {
            TimeSpan min = TimeSpan.FromMilliseconds(200), max = TimeSpan.FromSeconds(5);
            if (value is null)
            {
                return (min, max);
            }

            if (!value.IsObject())
            {
                Error(port, "reopen", Show(value), "must be an object { min-backoff = 200ms, max-backoff = 5s }");
                return (min, max);
            }

            var o = value.GetObject();
            CheckKeys(o, ReopenKeys, port, "reopen.");
            min = Duration(port, "reopen.min-backoff", o.Items.GetValueOrDefault("min-backoff"), min);
            max = Duration(port, "reopen.max-backoff", o.Items.GetValueOrDefault("max-backoff"), max);
            if (min <= TimeSpan.Zero || max < min)
            {
                Error(port, "reopen", $"{min} .. {max}", "min-backoff must be > 0 and max-backoff >= min-backoff");
            }

            return (min, max);
        }

        private void CheckDuplicateListeners(List<PortSettings> ports)
        {
            var seen = new List<(string Port, ListenerSettings Listener)>();
            foreach (var port in ports)
            {
                foreach (var l in port.Listeners)
                {
                    var clash = seen.FirstOrDefault(s => s.Listener.Port == l.Port && Overlaps(s.Listener.Bind, l.Bind));
                    if (clash.Listener is not null)
                    {
                        Error(port.Name, "listeners.port", l.Port.ToString(CultureInfo.InvariantCulture),
                            $"TCP port {l.Port} is already used by port '{clash.Port}' ({clash.Listener.EndPoint})");
                    }

                    seen.Add((port.Name, l));
                }
            }
        }

        private void CheckSharedLogs(List<PortSettings> ports)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var port in ports.Where(p => p.Log is not null))
            {
                if (seen.TryGetValue(port.Log!.File, out var other))
                {
                    Error(port.Name, "log.file", port.Log.File,
                        $"port '{other}' already logs to this file; two ports in one file corrupt each other " +
                        $"(use {PortPlaceholder} in concentrator.defaults)");
                }
                else
                {
                    seen[port.Log.File] = port.Name;
                }
            }
        }

        private void CheckSharedDevices(List<PortSettings> ports)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var port in ports.Where(p => !SerialDeviceFactory.IsSimulated(p.Device) && !p.Device.StartsWith(DeviceAddress.ExecPrefix, StringComparison.Ordinal)))
            {
                var real = DevicePaths.Resolve(port.Device);
                if (seen.TryGetValue(real, out var other))
                {
                    Error(port.Name, "device", port.Device, $"the same device is already served by port '{other}'");
                }
                else
                {
                    seen[real] = port.Name;
                }
            }
        }
    }
}
