using Akka.Configuration.Hocon;
using Concentrator.Ports.Power;

namespace Concentrator.Ports.Configuration;

/// <summary>A port's <c>power</c> key: argv per action, or an IPMI BMC reached with ipmitool.</summary>
public static partial class ConfigLoader
{
    private static readonly string[] PowerKeys = ["on", "off", "cycle", "status", "ipmi", "timeout"];

    private static readonly string[] IpmiKeys = ["host", "port", "user", "password-file", "cipher-suite"];

    private sealed partial class Reader
    {
        private const string PowerShape = "must be an object { on = [\"prog\", \"arg\"], off = [...], cycle = [...], status = [...] } or { ipmi { host, user, password-file } }";

        private PowerSettings? ReadPower(string port, HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(port, "power", Show(value), PowerShape);
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, PowerKeys, port, "power.");
            var timeout = Duration(port, "power.timeout", o.Items.GetValueOrDefault("timeout"), PowerSettings.DefaultTimeout);
            if (timeout <= TimeSpan.Zero)
            {
                Error(port, "power.timeout", timeout.ToString(), "must be longer than 0s");
            }

            if (o.Items.GetValueOrDefault("ipmi") is { } ipmi)
            {
                if (PowerActions.Words.Any(o.Items.ContainsKey))
                {
                    Error(port, "power", Show(value), "either ipmi { ... } or commands (on, off, cycle, status), not both");
                    return null;
                }

                return ReadIpmi(port, ipmi, timeout);
            }

            var commands = new Dictionary<PowerAction, IReadOnlyList<string>>();
            foreach (var action in System.Enum.GetValues<PowerAction>())
            {
                var key = "power." + PowerActions.Word(action);
                if (o.Items.GetValueOrDefault(PowerActions.Word(action)) is not { } argv)
                {
                    continue;
                }

                var words = argv.IsArray() ? argv.GetArray().Select(w => w.IsString() ? w.GetString() : null).ToList() : null;
                if (words is null || words.Count == 0 || words.Any(string.IsNullOrEmpty))
                {
                    Error(port, key, Show(argv), "expected the program and its arguments as a list, e.g. [\"/usr/local/bin/pdu\", \"outlet\", \"3\", \"on\"] (no shell)");
                    continue;
                }

                commands[action] = words!;
            }

            if (commands.Count == 0)
            {
                Error(port, "power", Show(value), "no action configured: " + PowerShape);
                return null;
            }

            return new PowerSettings(commands, timeout, "commands");
        }

        private PowerSettings? ReadIpmi(string port, HoconValue value, TimeSpan timeout)
        {
            if (!value.IsObject())
            {
                Error(port, "power.ipmi", Show(value), "must be an object { host = \"bmc-3\", user = \"admin\", password-file = \"/etc/concentrator/bmc-3.pw\" }");
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, IpmiKeys, port, "power.ipmi.");
            string? Text(string key)
            {
                var text = o.Items.GetValueOrDefault(key)?.GetString();
                if (string.IsNullOrWhiteSpace(text))
                {
                    Error(port, "power.ipmi." + key, null, "missing");
                    return null;
                }

                return text;
            }

            var host = Text("host");
            var user = Text("user");
            var passwordFile = Text("password-file") is { } file ? FullPath(file) : null;
            var bmcPort = Int(port, "power.ipmi.port", o.Items.GetValueOrDefault("port"), 623, 1, 65535);
            int? cipherSuite = o.Items.GetValueOrDefault("cipher-suite") is { } suite ? Int(port, "power.ipmi.cipher-suite", suite, 3, 0, 255) : null;
            if (passwordFile is not null && !File.Exists(passwordFile))
            {
                Error(port, "power.ipmi.password-file", passwordFile, "no such file (ipmitool reads the BMC password from it with -f)");
            }

            return host is null || user is null || passwordFile is null ? null : PowerSettings.Ipmi(host, bmcPort, user, passwordFile, timeout, cipherSuite);
        }
    }
}
