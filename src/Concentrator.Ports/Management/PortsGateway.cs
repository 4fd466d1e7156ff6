using Akka.Actor;
using Akka.Hosting;
using Concentrator.Ports.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Concentrator.Ports.Management;

/// <summary>
/// The one way a front end (management API, dashboard) asks the ports supervisor: found through Akka.Hosting's
/// registry, an ask awaited (no thread waits) and cancelled when the caller goes away, answered with the supervisor's
/// own result records (<see cref="PortSnapshot"/>, <see cref="PortNotFound"/>, <see cref="Done"/>, ...).
/// Timeout behaviour: <see cref="DefaultTimeout"/> unless the caller names its own, and a reply that does not come in
/// time is null (never an exception), so every caller answers "no answer" the same way (<see cref="NoAnswer"/>) instead
/// of some turning a slow supervisor into a 500. 10 s rather than the dashboard's former 5 s: the supervisor gives each
/// port 5 s for its snapshot, so a shorter bound would report a merely slow port as a dead supervisor.
/// </summary>
public sealed class PortsGateway(IRequiredActor<PortsSupervisorKey> supervisor)
{
    /// <summary>Enough for the supervisor to ask every port for its snapshot (it gives each 5 s).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The supervisor itself, once the actor system has started it.</summary>
    public Task<IActorRef> SupervisorAsync(CancellationToken cancel = default) => supervisor.GetAsync(cancel);

    /// <summary>Asks the supervisor: one of the management result records, or null when it did not answer in time.</summary>
    public async Task<object?> AskAsync(object request, CancellationToken cancel = default, TimeSpan? timeout = null)
    {
        var actor = await supervisor.GetAsync(cancel).ConfigureAwait(false);
        try
        {
            return await actor.Ask<object>(request, timeout ?? DefaultTimeout, cancel).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Every port's snapshot, or null when the supervisor did not answer in time.</summary>
    public async Task<PortList?> ListAsync(CancellationToken cancel = default) =>
        await AskAsync(ListPorts.Instance, cancel).ConfigureAwait(false) as PortList;

    /// <summary>The port's snapshot, or null when there is no such port (or no answer in time).</summary>
    public async Task<PortSnapshot?> GetAsync(string port, CancellationToken cancel = default) =>
        await AskAsync(new GetPort(port), cancel).ConfigureAwait(false) as PortSnapshot;

    /// <summary>What a caller says when <see cref="AskAsync"/> returned null.</summary>
    public static string NoAnswer(TimeSpan? timeout = null) =>
        $"the ports supervisor did not answer within {(timeout ?? DefaultTimeout).TotalSeconds:0} s; try again";
}

/// <summary>Registers the <see cref="PortsGateway"/> once, whichever front end (API, dashboard, both) asks for it first.</summary>
public static class PortsGatewayServiceCollectionExtensions
{
    public static IServiceCollection AddPortsGateway(this IServiceCollection services)
    {
        services.TryAddSingleton<PortsGateway>();
        return services;
    }
}
