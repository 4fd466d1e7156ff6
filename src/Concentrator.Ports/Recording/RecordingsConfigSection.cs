using Akka.Configuration.Hocon;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Recording;

/// <summary><c>concentrator.recordings { dir, max-size, max-age }</c>, read with the shared <see cref="ConfigValues"/>.</summary>
public sealed class RecordingsConfigSection : IConfigSection
{
    public const string SectionKey = "recordings";

    private static readonly string[] Keys = ["dir", "max-size", "max-age"];

    public static RecordingsConfigSection Instance { get; } = new();

    public string Key => SectionKey;

    public object? Read(ConfigValues values, HoconValue? value)
    {
        ArgumentNullException.ThrowIfNull(values);
        const string where = "concentrator.recordings";
        var settings = RecordingSettings.Default();
        if (value is null)
        {
            return settings;
        }

        if (!value.IsObject())
        {
            values.Error(null, where, ConfigValues.Show(value), "must be an object { dir = \"/var/lib/concentrator/recordings\", max-size = 1GiB, max-age = 30d }");
            return settings;
        }

        var o = value.GetObject();
        values.CheckKeys(o, Keys, null, where + ".");
        var dir = settings.Directory;
        if (o.Items.TryGetValue("dir", out var dirValue))
        {
            var text = ConfigValues.Show(dirValue);
            if (string.IsNullOrWhiteSpace(text))
            {
                values.Error(null, where + ".dir", text, "expected a directory, e.g. \"/var/lib/concentrator/recordings\"");
            }
            else
            {
                dir = values.FullPath(text);
            }
        }

        var maxSize = values.Size(null, where + ".max-size", o.Items.GetValueOrDefault("max-size"), settings.MaxSize, 64 * 1024, long.MaxValue / 2);
        var maxAge = values.Duration(null, where + ".max-age", o.Items.GetValueOrDefault("max-age"), settings.MaxAge);
        if (maxAge <= TimeSpan.Zero)
        {
            values.Error(null, where + ".max-age", ConfigValues.Show(o.Items["max-age"]), "must be longer than 0s");
        }

        return new RecordingSettings(dir, maxSize, maxAge);
    }
}

/// <summary>The recordings feature's settings out of the whole config.</summary>
public static class RecordingSettingsAccess
{
    /// <summary>What <c>concentrator.recordings</c> says, or the defaults when the section was not read.</summary>
    public static RecordingSettings RecordingSettings(this ConcentratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Section<RecordingSettings>(RecordingsConfigSection.SectionKey) ?? Recording.RecordingSettings.Default();
    }
}
