using System.Threading.Channels;

namespace Concentrator.Web.Events;

/// <summary>
/// What one open dashboard has not been sent yet: the latest update of each port, nothing older. Bounded by the
/// number of ports however slowly the browser reads: a new update of a port replaces the one still waiting, so a
/// slow browser skips intermediate states and never makes the server buffer more.
/// </summary>
internal sealed class UpdateMailbox
{
    private readonly Lock _lock = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private Dictionary<string, PortUpdate> _pending = new(StringComparer.Ordinal);
    private string? _cluster;

    public void Post(PortUpdate update)
    {
        lock (_lock)
        {
            _pending[update.Port] = update;
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>In a cluster: the latest nodes-and-remote-ports JSON, replacing one still waiting.</summary>
    public void PostCluster(string json)
    {
        lock (_lock)
        {
            _cluster = json;
        }

        _signal.Writer.TryWrite(true);
    }

    /// <summary>Takes the waiting cluster JSON, if any (call after <see cref="TakeAll"/>).</summary>
    public string? TakeCluster()
    {
        lock (_lock)
        {
            var json = _cluster;
            _cluster = null;
            return json;
        }
    }

    /// <summary>Waits until something is pending (false after <paramref name="timeout"/>), without taking it.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timer.CancelAfter(timeout);
        try
        {
            return await _signal.Reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Takes everything pending, in port name order.</summary>
    public IReadOnlyList<PortUpdate> TakeAll()
    {
        _signal.Reader.TryRead(out _);
        Dictionary<string, PortUpdate> taken;
        lock (_lock)
        {
            taken = _pending;
            _pending = new Dictionary<string, PortUpdate>(StringComparer.Ordinal);
        }

        return [.. taken.Values.OrderBy(u => u.Port, StringComparer.Ordinal)];
    }
}
