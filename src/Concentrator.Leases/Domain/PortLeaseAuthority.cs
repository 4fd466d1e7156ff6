namespace Concentrator.Leases.Domain;

/// <summary>
/// The one authority over one port's leases: the last epoch it granted and the lease in force. Only it mints epochs,
/// so each grant of the port has a higher epoch than every earlier one (the fencing token), also across restarts
/// (the epoch is stored) and across ports leaving and rejoining the configuration (the authority is kept).
/// </summary>
/// <param name="Port">The port as leases see it.</param>
/// <param name="Epoch">The epoch of the latest grant (0: never granted).</param>
/// <param name="Current">The lease in force, if any.</param>
/// <param name="Configured">Whether the port is served now; an authority of a removed port only keeps its epoch.</param>
public sealed record PortLeaseAuthority(LeasablePort Port, long Epoch, Lease? Current, bool Configured = true)
{
    public bool IsFree => Configured && Current is null;

    public (PortLeaseAuthority Authority, Lease Lease) Grant(LeaseRequest request, string id, string token, LeaseInstant now)
    {
        if (!IsFree)
        {
            throw new InvalidOperationException($"port {Port.Name} is not free: {Current}");
        }

        var lease = new Lease(id, Port.Name, request.Holder, request.ForHost, token, Epoch + 1, request.RequestId, request.Priority,
            request.Ttl, Port.Endpoint, now.Wall, now.Wall + request.Ttl, now.Monotonic + request.Ttl);
        return (this with { Epoch = lease.Epoch, Current = lease }, lease);
    }

    public PortLeaseAuthority Renewed(TimeSpan ttl, LeaseInstant now) =>
        this with { Current = Current! with { Ttl = ttl, Expires = now.Wall + ttl, Deadline = now.Monotonic + ttl } };

    public PortLeaseAuthority Ended() => this with { Current = null };
}
