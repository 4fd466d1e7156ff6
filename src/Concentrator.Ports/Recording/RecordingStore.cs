using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Concentrator.Ports.Recording;

/// <summary>
/// The daemon's recordings directory: names new files, keeps the size and age limits (the oldest finished files go
/// first; a file being written is never removed), lists and finds recordings. Thread-safe: every port's recorder
/// thread and the API use it. The directory is 0750 and every file 0640: a console shows what is typed at it.
/// </summary>
public sealed partial class RecordingStore(RecordingSettings settings)
{
    internal const UnixFileMode CastFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    private RecordingSettings _settings = settings;
    private long _sequence;

    public RecordingSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>A reload: the new limits apply from the next file; a new directory takes the next file, the old one is left.</summary>
    public void Apply(RecordingSettings settings)
    {
        lock (_gate)
        {
            _settings = settings;
        }
    }

    /// <summary>A new recording of <paramref name="port"/>: its id and path; it counts as active (never removed) until <see cref="Finished"/>.</summary>
    internal (string Id, string Path) Begin(string port, DateTimeOffset at)
    {
        string dir;
        string id;
        lock (_gate)
        {
            dir = _settings.Directory;
            id = $"{SafeName(port)}.{RecordingInfo.Stamp(at)}.{++_sequence}";
            _active.Add(id);
        }

        EnsureDirectory(dir);
        return (id, System.IO.Path.Combine(dir, id + ".cast"));
    }

    internal void Finished(string id)
    {
        lock (_gate)
        {
            _active.Remove(id);
        }
    }

    /// <summary>Removes finished recordings past the age limit, then the oldest until the directory fits its size limit.</summary>
    public IReadOnlyList<string> EnforceRetention(DateTimeOffset now)
    {
        var settings = Settings;
        var removed = new List<string>();
        var files = Files(settings.Directory).OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        var total = files.Sum(f => f.Length + MetaSize(f));
        foreach (var file in files)
        {
            var id = System.IO.Path.GetFileNameWithoutExtension(file.Name);
            if (IsActive(id))
            {
                continue;
            }

            var tooOld = now - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) > settings.MaxAge;
            if (!tooOld && total <= settings.MaxSize)
            {
                continue;
            }

            var size = file.Length + MetaSize(file);
            try
            {
                file.Delete();
                File.Delete(MetaPath(file.FullName));
                total -= size;
                removed.Add(id);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next round; a file we cannot remove is no reason to stop recording.
            }
        }

        return removed;
    }

    /// <summary>Every recording (of <paramref name="port"/> when given), newest first.</summary>
    public IReadOnlyList<RecordingInfo> List(string? port = null)
    {
        var list = new List<RecordingInfo>();
        foreach (var file in Files(Settings.Directory))
        {
            var id = System.IO.Path.GetFileNameWithoutExtension(file.Name);
            var info = (RecordingInfo.Read(id, MetaPath(file.FullName), file.Length) ?? FromHeader(id, file)) with { Active = IsActive(id) };
            if (port is null || info.Port == port)
            {
                list.Add(info);
            }
        }

        return [.. list.OrderByDescending(r => r.Started).ThenByDescending(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>The file of recording <paramref name="id"/>, or null: an id is a plain name from <see cref="List"/>, never a path.</summary>
    public string? Find(string id)
    {
        if (!IdPattern().IsMatch(id))
        {
            return null;
        }

        var path = System.IO.Path.Combine(Settings.Directory, id + ".cast");
        return File.Exists(path) ? path : null;
    }

    /// <summary>What is known of one recording, or null.</summary>
    public RecordingInfo? Describe(string id) => Find(id) is { } path
        ? (RecordingInfo.Read(id, MetaPath(path), new FileInfo(path).Length) ?? FromHeader(id, new FileInfo(path))) with { Active = IsActive(id) }
        : null;

    internal static string MetaPath(string castPath) => System.IO.Path.ChangeExtension(castPath, ".json");

    /// <summary>Writes the side file atomically (a reader never sees half of it), mode 0640.</summary>
    internal static void WriteMeta(string castPath, RecordingInfo info)
    {
        var meta = MetaPath(castPath);
        var temp = meta + ".tmp";
        using (var stream = CreateFile(temp, System.IO.FileMode.Create))
        using (var json = new Utf8JsonWriter(stream))
        {
            info.WriteJson(json);
        }

        File.Move(temp, meta, overwrite: true);
    }

    internal static FileStream CreateFile(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = CastFileMode; // not the umask
        }

        return new FileStream(path, options);
    }

    private bool IsActive(string id)
    {
        lock (_gate)
        {
            return _active.Contains(id);
        }
    }

    private static long MetaSize(FileInfo cast) => File.Exists(MetaPath(cast.FullName)) ? new FileInfo(MetaPath(cast.FullName)).Length : 0;

    private static IEnumerable<FileInfo> Files(string dir) =>
        Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*.cast").Where(f => IdPattern().IsMatch(System.IO.Path.GetFileNameWithoutExtension(f.Name))) : [];

    /// <summary>A file without its side file (a crash while it was written): port and start from its header, else its name.</summary>
    private static RecordingInfo FromHeader(string id, FileInfo file)
    {
        try
        {
            using var reader = new StreamReader(file.FullName, Encoding.UTF8);
            using var doc = JsonDocument.Parse(reader.ReadLine() ?? "");
            var meta = doc.RootElement.GetProperty("concentrator");
            return new RecordingInfo(id, meta.GetProperty("port").GetString() ?? "", meta.GetProperty("started").GetDateTimeOffset(), null,
                file.Length, [], 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            var parts = id.Split('.');
            var started = DateTimeOffset.TryParseExact(parts[1], "yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.UnixEpoch;
            return new RecordingInfo(id, parts[0], started, null, file.Length, [], 0);
        }
    }

    private static void EnsureDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(dir) ?? dir);
        Directory.CreateDirectory(dir, DirectoryMode);
    }

    /// <summary>A port name as a file name: what is not a letter, digit, '-' or '_' becomes '_'.</summary>
    private static string SafeName(string port) =>
        string.Concat(port.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    [GeneratedRegex("^[A-Za-z0-9_-]+\\.[0-9]{8}T[0-9]{9}Z\\.[0-9]+\\z")]
    private static partial Regex IdPattern();
}
