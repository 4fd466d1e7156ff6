namespace Concentrator.Leases.Tests.Support;

/// <summary>
/// Makes a directory read-only for this process until disposed. Root ignores file modes, so as root (CI, here) the
/// directory is bind-mounted read-only onto itself — a read-only file system, as a full or remounted disk would be;
/// otherwise its mode becomes 0555.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ReadOnlyDirectory : IDisposable
{
    private readonly string _path;
    private bool _undone;

    public ReadOnlyDirectory(string path)
    {
        _path = path;
        if (Command.IsRoot)
        {
            Command.Run("mount", "--bind", path, path);
            try
            {
                Command.Run("mount", "-o", "remount,ro,bind", path);
            }
            catch
            {
                Command.Run("umount", "-l", path);
                throw;
            }
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            foreach (var file in Directory.GetFiles(path))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead);
            }
        }
    }

    public void Dispose()
    {
        if (_undone)
        {
            return;
        }

        _undone = true;
        if (Command.IsRoot)
        {
            // Lazy: detached at once even while a store still retrying in the background has a file open through it.
            Command.Run("umount", "-l", _path);
        }
        else
        {
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var file in Directory.GetFiles(_path))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}
