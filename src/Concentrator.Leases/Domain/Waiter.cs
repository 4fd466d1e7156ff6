namespace Concentrator.Leases.Domain;

/// <summary>An acquire waiting for a port: <paramref name="Seq"/> is its arrival order and its id for the reply.</summary>
public sealed record Waiter(long Seq, LeaseRequest Request, LeaseInstant Until)
{
    public LeaseWaiterInfo Info => new(Request.Target.Key, Request.Holder, Request.Priority, Request.RequestId, Until.Wall);
}

/// <summary>Queue order: higher priority first, then earlier arrival.</summary>
internal sealed class WaiterOrder : IComparer<Waiter>
{
    public static WaiterOrder Instance { get; } = new();

    public int Compare(Waiter? x, Waiter? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var byPriority = y.Request.Priority.CompareTo(x.Request.Priority);
        return byPriority != 0 ? byPriority : x.Seq.CompareTo(y.Seq);
    }
}

/// <summary>A waiter's wait ended: granted, or not (its wait ran out, its port left the configuration).</summary>
public sealed record WaiterDone(long Seq, LeaseAnswer Answer);
