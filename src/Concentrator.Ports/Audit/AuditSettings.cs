using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Audit;

/// <summary><c>concentrator.audit { file }</c>: where the audit trail's JSON lines go; null: no file (the journal may still get them).</summary>
public sealed record AuditSettings(string? File)
{
    /// <summary>The default: <c>audit.jsonl</c> in the daemon's state directory (never the working directory).</summary>
    public static AuditSettings Default() => new(Path.GetFullPath(Path.Combine(StateDirectory.Resolve(), "audit.jsonl")));
}

/// <summary><c>concentrator.audit { file = "/var/log/concentrator/audit.jsonl" | off }</c>, read with the shared <see cref="ConfigValues"/>.</summary>
public sealed class AuditConfigSection : IConfigSection
{
    public const string SectionKey = "audit";

    private static readonly string[] Keys = ["file"];

    public static AuditConfigSection Instance { get; } = new();

    public string Key => SectionKey;

    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        const string where = "concentrator.audit";
        var settings = AuditSettings.Default();
        if (value is null)
        {
            return settings;
        }

        if (!value.IsObject())
        {
            values.Error(null, where, ConfigValues.Show(value), "must be an object { file = \"/var/log/concentrator/audit.jsonl\" }");
            return settings;
        }

        var o = value.GetObject();
        values.CheckKeys(o, Keys, null, where + ".");
        if (!o.Items.TryGetValue("file", out var file))
        {
            return settings;
        }

        var text = ConfigValues.Show(file);
        if (text is "off" or "false")
        {
            return new AuditSettings(null);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            values.Error(null, where + ".file", text, "expected a file, e.g. \"/var/log/concentrator/audit.jsonl\", or off");
            return settings;
        }

        return new AuditSettings(values.FullPath(text));
    }
}

/// <summary>The audit feature's settings out of the whole config.</summary>
public static class AuditSettingsAccess
{
    public static AuditSettings AuditSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Section<AuditSettings>(AuditConfigSection.SectionKey) ?? Audit.AuditSettings.Default();
    }
}
