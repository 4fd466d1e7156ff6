using Akka.Actor;
using Akka.Hosting;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Management;
using Microsoft.Extensions.Options;

namespace Concentrator.Web;

/// <summary>
/// The dashboard's way to the ports supervisor (found through Akka.Hosting's registry, as the management API finds
/// it): every request is an ask bounded by <see cref="DashboardOptions.AskTimeout"/>, answered with the supervisor's
/// own result records (<see cref="PortSnapshot"/>, <see cref="PortNotFound"/>, <see cref="Done"/>, ...).
/// </summary>
public sealed class PortsGateway(IRequiredActor<PortsSupervisorKey> supervisor, IOptions<DashboardOptions> options)
{
    private readonly TimeSpan _timeout = options.Value.AskTimeout;

    /// <summary>The supervisor itself, once the actor system has started it.</summary>
    public Task<IActorRef> SupervisorAsync(CancellationToken cancellation = default) => supervisor.GetAsync(cancellation);

    /// <summary>Asks the supervisor; the answer is one of the management result records.</summary>
    public async Task<object> AskAsync(object request, CancellationToken cancellation = default)
    {
        var actor = await supervisor.GetAsync(cancellation).ConfigureAwait(false);
        return await actor.Ask<object>(request, _timeout, cancellation).ConfigureAwait(false);
    }

    public async Task<PortList> ListAsync(CancellationToken cancellation = default) =>
        (PortList)await AskAsync(ListPorts.Instance, cancellation).ConfigureAwait(false);

    /// <summary>The port's snapshot, or null when there is no such port.</summary>
    public async Task<PortSnapshot?> GetAsync(string port, CancellationToken cancellation = default) =>
        await AskAsync(new GetPort(port), cancellation).ConfigureAwait(false) as PortSnapshot;
}
