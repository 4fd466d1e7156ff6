using Akka.Actor;
using Concentrator.Leases;

namespace Concentrator.Cluster.Leases;

// Messages between nodes about leases by tags. Requests for one port and everything else go to the owner's
// NodeGateway as the lease service's own messages (Concentrator.Leases.LeaseProtocol).

/// <summary>
/// To the tag matcher (the singleton): find a port with all of the request's tags on any node and have its owner
/// grant it, waiting up to <paramref name="Remaining"/>; answered with <see cref="TagMatchAnswer"/> to <paramref name="ReplyTo"/>.
/// Sent again (same <paramref name="Key"/>) when the singleton may have moved: the matcher keeps one waiter per key.
/// </summary>
public sealed record MatchTags(string Key, AcquireLease Request, TimeSpan Remaining, IActorRef ReplyTo);

/// <summary>The requester gave up on <paramref name="Key"/> (its wait ended).</summary>
public sealed record CancelMatch(string Key);

/// <summary>The outcome of a <see cref="MatchTags"/>: one of the lease service's answers.</summary>
public sealed record TagMatchAnswer(string Key, LeaseAnswer Answer);
