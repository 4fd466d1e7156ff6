namespace Concentrator.Ports.Automation;

/// <summary>
/// A port's recent device output, kept whether or not anyone is connected, addressed by a monotonic byte offset since
/// the port started (offset 0 is the first byte the device ever printed). A ring of <see cref="Capacity"/> bytes: what
/// is older than that is gone, and a read from before <see cref="Start"/> begins at <see cref="Start"/>.
/// </summary>
/// <remarks>
/// One writer (the device reader thread, through <see cref="Port.DeviceOutputHub"/>, which already serializes its
/// chunks) appends with a copy and one fenced store: no lock, nothing that waits. Readers (expect, triggers, the
/// output stream) take no lock either: they copy, then check that the writer did not lap them meanwhile, and retry
/// from the new start if it did. Waiting readers are woken through a task whose continuations run on the pool,
/// never on the reader thread; when nobody waits an append costs one null check.
/// </remarks>
public sealed class OutputCapture
{
    /// <summary>The default of the port key <c>capture</c>.</summary>
    public const long DefaultCapacity = 1024 * 1024;

    private readonly byte[] _ring;
    private long _end; // offset one past the last byte appended; written with a full fence
    private long _writing; // the end the writer is copying towards: readers check they were not lapped against it
    private TaskCompletionSource? _waiters;

    public OutputCapture(long capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, Array.MaxLength);
        _ring = new byte[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>The offset the next byte will have: "now".</summary>
    public long End => Volatile.Read(ref _end);

    /// <summary>The oldest offset still kept: "start".</summary>
    public long Start => Math.Max(0, End - _ring.Length);

    /// <summary>The writer (one at a time): the chunk's bytes get the next offsets.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        var end = _end; // only this writer changes it
        if (chunk.Length > _ring.Length)
        {
            end += chunk.Length - _ring.Length; // only the tail fits
            chunk = chunk[^_ring.Length..];
        }

        Interlocked.Exchange(ref _writing, end + chunk.Length); // before any byte is overwritten
        var at = (int)(end % _ring.Length);
        var first = Math.Min(chunk.Length, _ring.Length - at);
        chunk[..first].CopyTo(_ring.AsSpan(at));
        chunk[first..].CopyTo(_ring);
        Interlocked.Exchange(ref _end, end + chunk.Length); // a full fence: the bytes are visible first, and _waiters is read after
        if (Volatile.Read(ref _waiters) is not null)
        {
            Interlocked.Exchange(ref _waiters, null)?.TrySetResult();
        }
    }

    /// <summary>
    /// Copies the bytes from <paramref name="from"/> (raised to <see cref="Start"/> when older) into
    /// <paramref name="into"/>, as many as are there and fit. Returns the offset the copy starts at and how many bytes it has.
    /// </summary>
    public (long Offset, int Count) Read(long from, Span<byte> into)
    {
        while (true)
        {
            var end = End;
            var start = Math.Max(from, Math.Max(0, end - _ring.Length));
            var count = (int)Math.Min(into.Length, Math.Max(0, end - start));
            if (count > 0)
            {
                var at = (int)(start % _ring.Length);
                var first = Math.Min(count, _ring.Length - at);
                _ring.AsSpan(at, first).CopyTo(into);
                _ring.AsSpan(0, count - first).CopyTo(into[first..]);
            }

            // The writer may have overwritten what was copied: then the bytes at 'start' are gone, start again later.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _writing) - _ring.Length <= start)
            {
                return (start, count);
            }
        }
    }

    /// <summary>Completes when there is a byte at <paramref name="offset"/> or later (at once if there is).</summary>
    public async Task WaitBeyondAsync(long offset, CancellationToken cancel)
    {
        while (End <= offset)
        {
            var waiters = Volatile.Read(ref _waiters);
            if (waiters is null)
            {
                var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters = Interlocked.CompareExchange(ref _waiters, mine, null) ?? mine;
            }

            if (End > offset)
            {
                return; // appended between the check and the registration
            }

            await waiters.Task.WaitAsync(cancel).ConfigureAwait(false);
        }
    }
}
