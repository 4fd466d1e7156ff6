using System.Threading.Channels;
using Akka.Actor;

namespace Concentrator.Leases.Service;

/// <summary>
/// The watch stream as a <see cref="ChannelReader{T}"/>, for code outside actors (the API's server-sent events):
/// <see cref="Current"/> holds the leases in force when it started, <see cref="Events"/> every event after that. A
/// reader that falls more than the capacity behind has its channel completed with a
/// <see cref="LeaseWatchOverflowException"/> (it lists again and watches anew) rather than missing events silently.
/// Dispose to stop watching.
/// </summary>
public sealed class LeaseWatch : IAsyncDisposable
{
    private readonly IActorRef _forwarder;
    private readonly Channel<LeaseEvent> _channel;

    private LeaseWatch(IActorRef forwarder, Channel<LeaseEvent> channel, IReadOnlyList<LeaseInfo> current)
    {
        _forwarder = forwarder;
        _channel = channel;
        Current = current;
    }

    public IReadOnlyList<LeaseInfo> Current { get; }

    public ChannelReader<LeaseEvent> Events => _channel.Reader;

    /// <summary>Subscribes to <paramref name="service"/>; completes once the subscription is in place.</summary>
    public static async Task<LeaseWatch> OpenAsync(IActorRefFactory system, IActorRef service, int capacity = 1024,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var channel = Channel.CreateBounded<LeaseEvent>(new BoundedChannelOptions(capacity) { SingleWriter = true });
        var started = new TaskCompletionSource<IReadOnlyList<LeaseInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var forwarder = system.ActorOf(Akka.Actor.Props.Create(() => new Forwarder(service, channel.Writer, started)));
        await using (cancellationToken.Register(() => started.TrySetCanceled(cancellationToken)))
        {
            try
            {
                return new LeaseWatch(forwarder, channel, await started.Task.ConfigureAwait(false));
            }
            catch
            {
                forwarder.Tell(PoisonPill.Instance);
                throw;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _forwarder.Tell(PoisonPill.Instance);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Subscribes on start, unsubscribes on stop, writes events into the channel without ever waiting.</summary>
    private sealed class Forwarder : ReceiveActor
    {
        private readonly IActorRef _service;

        public Forwarder(IActorRef service, ChannelWriter<LeaseEvent> writer, TaskCompletionSource<IReadOnlyList<LeaseInfo>> started)
        {
            _service = service;
            Receive<LeaseEventsSubscribed>(subscribed => started.TrySetResult(subscribed.Current));
            Receive<LeaseEvent>(e =>
            {
                if (!writer.TryWrite(e))
                {
                    writer.TryComplete(new LeaseWatchOverflowException());
                    Context.Stop(Self);
                }
            });
            Receive<Terminated>(_ =>
            {
                writer.TryComplete(new LeaseWatchOverflowException("the lease service stopped"));
                Context.Stop(Self);
            });
        }

        protected override void PreStart()
        {
            Context.Watch(_service);
            _service.Tell(new SubscribeLeaseEvents(Self));
        }

        protected override void PostStop() => _service.Tell(new UnsubscribeLeaseEvents(Self));
    }
}

/// <summary>The watch ended because its reader fell behind (or the service stopped): list again and watch anew.</summary>
public sealed class LeaseWatchOverflowException : Exception
{
    public LeaseWatchOverflowException() : base("the lease watch fell behind and was closed; list the leases and watch again")
    {
    }

    public LeaseWatchOverflowException(string message) : base(message)
    {
    }

    public LeaseWatchOverflowException(string message, Exception inner) : base(message, inner)
    {
    }
}
