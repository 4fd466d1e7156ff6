using System.Globalization;
using Akka.Configuration.Hocon;
using Concentrator.Ports.Automation;

namespace Concentrator.Ports.Configuration;

/// <summary>The automation keys of a port: <c>capture</c> (output kept for expect) and <c>triggers</c>.</summary>
public static partial class ConfigLoader
{
    private static readonly string[] TriggerKeys = ["match", "clear", "webhook", "command", "revoke-lease", "at-most"];

    private sealed partial class Reader
    {
        private long ReadCapture(string port, HoconValue? value) =>
            Size(port, "capture", value, OutputCapture.DefaultCapacity, 1024, 1L << 30);

        private List<TriggerSettings> ReadTriggers(string port, HoconValue? value)
        {
            var triggers = new List<TriggerSettings>();
            if (value is null)
            {
                return triggers;
            }

            if (!value.IsObject())
            {
                Error(port, "triggers", Show(value), "expected an object of named rules, e.g. triggers { panic { match = \"Kernel panic\" } }");
                return triggers;
            }

            foreach (var (name, rule) in value.GetObject().Items)
            {
                var prefix = $"triggers.{name}.";
                if (!rule.IsObject())
                {
                    Error(port, $"triggers.{name}", Show(rule), "expected an object { match = \"...\", webhook = \"http://...\" }");
                    continue;
                }

                var o = rule.GetObject();
                CheckKeys(o, TriggerKeys, port, prefix);
                HoconValue? Get(string key) => o.Items.TryGetValue(key, out var v) ? v : null;
                var match = Pattern(port, prefix + "match", Get("match"), required: true);
                var clear = Pattern(port, prefix + "clear", Get("clear"), required: false);
                Uri? webhook = null;
                if (Get("webhook")?.GetString() is { } hook &&
                    (!Uri.TryCreate(hook, UriKind.Absolute, out webhook) || webhook.Scheme is not ("http" or "https")))
                {
                    Error(port, prefix + "webhook", hook, "expected an http:// or https:// URL");
                    webhook = null;
                }

                var command = ReadArgv(port, prefix + "command", Get("command"));
                var revoke = Bool(port, prefix + "revoke-lease", Get("revoke-lease"), false);
                var (count, per) = ReadAtMost(port, prefix + "at-most", Get("at-most"));
                if (match is not null)
                {
                    triggers.Add(new TriggerSettings(name, match, clear, webhook, command, revoke, count, per));
                }
            }

            return triggers;
        }

        private string? Pattern(string port, string key, HoconValue? value, bool required)
        {
            var text = value?.GetString();
            if (text is null)
            {
                if (required)
                {
                    Error(port, key, null, "missing: the regular expression to look for in the output");
                }

                return null;
            }

            if (ExpectPatterns.Compile(text).Error is { } problem)
            {
                Error(port, key, text, problem);
                return null;
            }

            return text;
        }

        private List<string>? ReadArgv(string port, string key, HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            var argv = value.IsArray() ? value.GetArray().Select(v => v.IsString() ? v.GetString() : null).ToList() : null;
            if (argv is null || argv.Count == 0 || argv.Any(string.IsNullOrEmpty))
            {
                Error(port, key, Show(value), "expected a program and its arguments, e.g. [\"/usr/local/bin/page\", \"ops\"] (no shell)");
                return null;
            }

            return argv!;
        }

        /// <summary>at-most = "1/10s": at most that many firings per that long.</summary>
        private (int, TimeSpan) ReadAtMost(string port, string key, HoconValue? value)
        {
            var text = value?.GetString();
            if (text is null)
            {
                return (0, TimeSpan.Zero);
            }

            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
            {
                var per = Duration(port, key, new HoconValue { Values = { new HoconLiteral { Value = text[(slash + 1)..] } } }, TimeSpan.Zero);
                if (per > TimeSpan.Zero)
                {
                    return (count, per);
                }
            }
            else
            {
                Error(port, key, text, "expected a count per duration, e.g. \"1/10s\" or \"5/1m\"");
            }

            return (0, TimeSpan.Zero);
        }
    }
}
