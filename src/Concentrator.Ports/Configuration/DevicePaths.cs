using Concentrator.Devices;

namespace Concentrator.Ports.Configuration;

/// <summary>Device path helpers shared by config validation and discovery.</summary>
public static class DevicePaths
{
    /// <summary>
    /// The node a path ends at (symlinks followed), so /dev/ttyUSB0 and its /dev/serial/by-id link count as one
    /// device. A path that cannot be resolved, and a device that is no node (sim:, an upstream, exec:), is returned as given.
    /// </summary>
    public static string Resolve(string path)
    {
        if (!DeviceAddress.IsNode(path))
        {
            return path;
        }

        try
        {
            var info = new FileInfo(path);
            return info.Exists || info.LinkTarget is not null
                ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName
                : Path.GetFullPath(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return path;
        }
    }
}
