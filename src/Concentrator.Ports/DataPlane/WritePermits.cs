using System.Collections.Immutable;

namespace Concentrator.Ports.DataPlane;

/// <summary>
/// Which writers may write to the device now: an immutable value the port builds from its decisions (write lock,
/// lease, ACL, kick) and swaps into its <see cref="PortDataPlane"/> in one step. Nothing mutates a published one, so
/// every path that reads it (a session's thread, the device worker) sees one whole decision, never half of one.
/// </summary>
public sealed class WritePermits
{
    public static readonly WritePermits None = new(ImmutableHashSet<int>.Empty);

    private readonly ImmutableHashSet<int> _writers;

    private WritePermits(ImmutableHashSet<int> writers) => _writers = writers;

    public bool Allows(int writer) => _writers.Contains(writer);

    /// <summary>These permits with <paramref name="writer"/> allowed or not (the same instance when nothing changes).</summary>
    public WritePermits With(int writer, bool allowed)
    {
        var writers = allowed ? _writers.Add(writer) : _writers.Remove(writer);
        return ReferenceEquals(writers, _writers) ? this : new WritePermits(writers);
    }
}
