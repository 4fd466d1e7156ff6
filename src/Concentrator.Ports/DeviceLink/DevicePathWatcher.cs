namespace Concentrator.Ports.DeviceLink;

/// <summary>
/// Calls back when a device path may have (re)appeared, so a replugged adapter is reopened at once instead of at
/// the next backoff step. Watches the deepest existing directory on the path (inotify through FileSystemWatcher),
/// filtered to the next path component: /dev/serial/by-id itself only exists while some adapter is plugged in.
/// Only lives while its port is offline.
/// </summary>
internal sealed class DevicePathWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;

    private DevicePathWatcher(FileSystemWatcher watcher) => _watcher = watcher;

    /// <summary>Starts watching; null when nothing on the path can be watched (the periodic retry still runs).</summary>
    public static DevicePathWatcher? TryWatch(string devicePath, Action onChange)
    {
        try
        {
            var full = Path.GetFullPath(devicePath);
            var child = Path.GetFileName(full);
            var dir = Path.GetDirectoryName(full);
            while (dir is not null && !Directory.Exists(dir))
            {
                child = Path.GetFileName(dir);
                dir = Path.GetDirectoryName(dir);
            }

            if (dir is null || string.IsNullOrEmpty(child))
            {
                return null;
            }

            var watcher = new FileSystemWatcher(dir, child)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Attributes,
                IncludeSubdirectories = false,
            };
            FileSystemEventHandler changed = (_, _) => onChange();
            watcher.Created += changed;
            watcher.Changed += changed;
            watcher.Renamed += (_, _) => onChange();
            watcher.EnableRaisingEvents = true;
            return new DevicePathWatcher(watcher);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    public void Dispose() => _watcher.Dispose();
}
