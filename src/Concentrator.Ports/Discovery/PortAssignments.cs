using System.Text.Json;

namespace Concentrator.Ports.Discovery;

/// <summary>
/// Which TCP port each discovered device path has: the same adapter keeps its port across unplug/replug and
/// daemon restarts. Pure logic plus JSON (de)serialization; the file I/O is done by the caller off the actor thread.
/// </summary>
internal sealed class PortAssignments(int basePort, IEnumerable<int> reserved)
{
    private readonly Dictionary<string, int> _byPath = new(StringComparer.Ordinal);
    private readonly HashSet<int> _reserved = [.. reserved];

    public IReadOnlyDictionary<string, int> ByPath => _byPath;

    /// <summary>The port for a path: the remembered one, else the lowest free one from the base port.</summary>
    public int Assign(string path, out bool isNew)
    {
        if (_byPath.TryGetValue(path, out var known))
        {
            isNew = false;
            return known;
        }

        var used = new HashSet<int>(_byPath.Values);
        var port = basePort;
        while (port <= 65535 && (used.Contains(port) || _reserved.Contains(port)))
        {
            port++;
        }

        if (port > 65535)
        {
            throw new InvalidOperationException($"no free TCP port left from {basePort}");
        }

        _byPath[path] = port;
        isNew = true;
        return port;
    }

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, int>(_byPath), JsonOptions);

    /// <summary>Loads remembered assignments (a missing or unreadable file means none: ports are assigned afresh).</summary>
    public void Load(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return;
        }

        try
        {
            var map = JsonSerializer.Deserialize<Dictionary<string, int>>(json);
            foreach (var (path, port) in map ?? [])
            {
                if (port is > 0 and <= 65535 && !_reserved.Contains(port) && !_byPath.ContainsValue(port))
                {
                    _byPath[path] = port;
                }
            }
        }
        catch (JsonException)
        {
            // A corrupt file must not stop the daemon; the next save rewrites it.
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
