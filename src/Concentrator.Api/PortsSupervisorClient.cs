using Akka.Actor;
using Akka.Hosting;
using Concentrator.Ports.Hosting;

namespace Concentrator.Api;

/// <summary>
/// How HTTP handlers talk to the ports supervisor: an Ask with a timeout, awaited (no thread waits), cancelled
/// when the caller goes away. A reply that does not come in time is null, answered with a 503.
/// </summary>
public sealed class PortsSupervisorClient(IRequiredActor<PortsSupervisorKey> supervisor)
{
    /// <summary>Enough for the supervisor to ask every port for its snapshot (it gives each 5 s).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public async Task<object?> AskAsync(object request, CancellationToken cancel, TimeSpan? timeout = null)
    {
        try
        {
            return await supervisor.ActorRef.Ask<object>(request, timeout ?? DefaultTimeout, cancel).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>What a handler says when <see cref="AskAsync"/> returned null.</summary>
    public static string NoAnswer(TimeSpan? timeout = null) =>
        $"the ports supervisor did not answer within {(timeout ?? DefaultTimeout).TotalSeconds:0} s; try again";
}
