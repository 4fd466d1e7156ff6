using Akka.Actor;
using Akka.Hosting;
using Concentrator.Leases.Hosting;

namespace Concentrator.Leases.Service;

/// <summary>
/// Where the API sends lease requests (<see cref="AcquireLease"/>, <see cref="RenewLease"/>, ...): this node's lease
/// service on a single host (<see cref="LocalLeaseRequests"/>); in a cluster, the node that owns the port.
/// </summary>
public interface ILeaseRequests
{
    /// <summary>The answer (a <see cref="LeaseAnswer"/>), or null when none came within <paramref name="timeout"/>.</summary>
    Task<object?> AskAsync(object request, TimeSpan timeout, CancellationToken cancel);
}

/// <summary>Lease requests go to this node's lease service.</summary>
public sealed class LocalLeaseRequests(IRequiredActor<LeaseServiceKey> service) : ILeaseRequests
{
    public async Task<object?> AskAsync(object request, TimeSpan timeout, CancellationToken cancel)
    {
        try
        {
            return await service.ActorRef.Ask<object>(request, timeout, cancel).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
