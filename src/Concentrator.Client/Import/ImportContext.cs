using System.Globalization;
using System.Text;

namespace Concentrator.Client.Import;

/// <summary>Collects ports and warnings; gives unique names; prints the HOCON.</summary>
internal sealed class ImportContext(string source, string command)
{
    private readonly List<ImportedPort> _ports = [];
    private readonly List<string> _warnings = [];

    public string Source { get; } = Path.GetFileName(source);

    /// <summary>The ports so far, in file order.</summary>
    public IReadOnlyList<ImportedPort> Ports => _ports;

    /// <summary>HOCON lines printed inside <c>concentrator { }</c> before the ports (e.g. a security section).</summary>
    public List<string> Preamble { get; } = [];

    public void Warn(int line, string message) =>
        _warnings.Add(line > 0 ? $"{Source}:{line}: {message}" : $"{Source}: {message}");

    public void Add(ImportedPort port)
    {
        var baseName = port.Name;
        if (_ports.Any(p => p.Name == baseName))
        {
            port.Name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{port.TcpPort}");
        }

        var n = 2;
        while (_ports.Any(p => p.Name == port.Name))
        {
            port.Name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{port.TcpPort}-{n++}");
        }

        var sameDevice = _ports.FirstOrDefault(p => p.Enabled && port.Enabled && p.Device == port.Device);
        if (sameDevice is not null)
        {
            port.Enabled = false;
            Warn(0, $"port {port.TcpPort}: device {port.Device} is already served by '{sameDevice.Name}' (TCP {sameDevice.TcpPort}); " +
                $"concentrator serves a device once (add a listener to '{sameDevice.Name}' instead); imported commented out");
        }

        _ports.Add(port);
    }

    public ImportResult Finish(string kind)
    {
        var enabled = _ports.Count(p => p.Enabled);
        if (enabled == 0)
        {
            Warn(0, "no port could be imported; the output does not serve anything");
        }

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Imported from {Source} ({kind}) by concentrator {command}.");
        if (_warnings.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"# {_warnings.Count} item(s) could not be mapped: listed on stderr.");
        }

        sb.AppendLine("concentrator {");
        foreach (var line in Preamble)
        {
            sb.Append("  ").AppendLine(line);
        }

        sb.AppendLine("  ports {");
        for (var i = 0; i < _ports.Count; i++)
        {
            if (i > 0)
            {
                sb.AppendLine();
            }

            _ports[i].WriteHocon(sb);
        }

        sb.AppendLine("  }");
        sb.AppendLine("}");
        return new ImportResult(sb.ToString(), _warnings, enabled);
    }
}
