using System.Globalization;
using System.Net;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// The one validation helper every configuration section is read with: typed readers for the values a section holds
/// (enumerations, numbers, booleans, durations, sizes, addresses, paths) that never throw but collect a
/// <see cref="ConfigError"/> naming the file, the port, the key and the value — an unknown key with the nearest known
/// one as a did-you-mean — so one round of fixes finds every typo, and nothing binds before the whole file is good.
/// </summary>
/// <param name="source">The config file, as errors name it.</param>
/// <param name="baseDirectory">Where relative paths are taken from (the config file's directory).</param>
public partial class ConfigValues(string source, string baseDirectory)
{
    public string Source => source;

    public string BaseDirectory => baseDirectory;

    /// <summary>Every problem found so far, in the order found.</summary>
    public List<ConfigError> Errors { get; } = [];

    public void Error(string? port, string? key, string? value, string problem) =>
        Errors.Add(new ConfigError(source, port, key, value, problem));

    /// <summary>A path from the config, made absolute against <see cref="BaseDirectory"/>.</summary>
    public string FullPath(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));

    public void CheckKeys(HoconObject o, string[] known, string? port, string prefix)
    {
        foreach (var key in o.Items.Keys.Where(k => !known.Contains(k)))
        {
            Error(port, prefix + key, Show(o.Items[key]), $"unknown key{Suggest(key, known)}");
        }
    }

    public static string Suggest(string key, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: EditDistance(key, k))).MinBy(x => x.Distance);
        return best.Key is not null && best.Distance <= Math.Max(2, key.Length / 3) ? $" (did you mean '{best.Key}'?)" : "";
    }

    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }

    public T Enum<T>(string? port, string key, HoconValue? value, T fallback, params (string Name, T Value)[] choices)
    {
        if (value is null)
        {
            return fallback;
        }

        var text = Show(value);
        foreach (var (n, v) in choices)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        Error(port, key, text, $"expected {string.Join(" | ", choices.Select(c => c.Name))}{Suggest(text, choices.Select(c => c.Name))}");
        return fallback;
    }

    public int Int(string? port, string key, HoconValue? value, int fallback, int min, int max)
    {
        if (value is null)
        {
            return fallback;
        }

        var text = Show(value);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        Error(port, key, text, $"expected a whole number from {min} to {max}");
        return fallback;
    }

    public bool Bool(string? port, string key, HoconValue? value, bool fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        switch (Show(value).ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                return true;
            case "off" or "false" or "no":
                return false;
            default:
                Error(port, key, Show(value), "expected on | off");
                return fallback;
        }
    }

    public TimeSpan Duration(string? port, string key, HoconValue? value, TimeSpan fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        try
        {
            var t = value.GetTimeSpan(allowInfinite: false);
            if (t >= TimeSpan.Zero)
            {
                return t;
            }
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
        }

        Error(port, key, Show(value), "expected a duration such as 0s, 500ms, 30s, 10m, 1h");
        return fallback;
    }

    public long Size(string? port, string key, HoconValue? value, long fallback, long min, long max)
    {
        if (value is null)
        {
            return fallback;
        }

        try
        {
            if (value.GetByteSize() is { } n && n >= min && n <= max)
            {
                return n;
            }
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
        }

        Error(port, key, Show(value), $"expected a size such as 64KiB or 10MiB, from {min} bytes");
        return fallback;
    }

    public IPAddress Address(string? port, string key, HoconValue? value)
    {
        if (value is null)
        {
            return IPAddress.Loopback;
        }

        var text = Show(value);
        switch (text)
        {
            case "localhost":
                return IPAddress.Loopback;
            case "*" or "0.0.0.0" or "any":
                return IPAddress.Any;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        Error(port, key, text, "expected an IP address such as 127.0.0.1, 0.0.0.0 or ::1");
        return IPAddress.Loopback;
    }

    public static string Show(HoconValue value)
    {
        try
        {
            return value.IsString() ? value.GetString() : value.ToString();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return value.ToString();
        }
    }
}
