using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Recording;

/// <summary>Port key <c>recording</c>: nothing, the device's output, or its output and who typed what.</summary>
public enum RecordingMode { Off, Output, All }

/// <summary>
/// <c>concentrator.recordings { dir, max-size, max-age }</c>: where every port's recordings go and how long they are
/// kept (the oldest go first when the directory outgrows <see cref="MaxSize"/>, any older than <see cref="MaxAge"/>).
/// </summary>
public sealed record RecordingSettings(string Directory, long MaxSize, TimeSpan MaxAge)
{
    public const long DefaultMaxSize = 1L << 30;

    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(30);

    /// <summary>The defaults: <c>recordings</c> in the daemon's state directory (never the working directory), 1 GiB, 30 days.</summary>
    public static RecordingSettings Default() =>
        new(Path.GetFullPath(Path.Combine(StateDirectory.Resolve(), "recordings")), DefaultMaxSize, DefaultMaxAge);

    /// <summary>One file is closed and the next begun past this size, so retention can remove a long session's oldest part.</summary>
    public long RotateAt => Math.Clamp(MaxSize / 8, 64 * 1024, 256L * 1024 * 1024);
}
