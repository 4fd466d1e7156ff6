using Akka.Configuration;
using Concentrator.Cluster.Configuration;

namespace Concentrator.Cluster.Membership;

/// <summary>The cluster actor system's HOCON, from <c>concentrator.cluster</c>.</summary>
public static class ClusterConfig
{
    /// <summary>Every node's cluster actor system has this name: Akka only joins systems of the same name.</summary>
    public const string SystemName = "concentrator-cluster";

    /// <summary>Role of members that serve ports; witnesses have <see cref="WitnessRole"/> instead.</summary>
    public const string PortsRole = "ports";

    public const string WitnessRole = "witness";

    /// <summary>A member's node name travels as its role "node:NAME", so every member knows every other's name from gossip.</summary>
    public const string NameRolePrefix = "node:";

    /// <summary>A node's Akka address; TLS between nodes changes the protocol (akka.ssl.tcp).</summary>
    public static string AddressOf(bool tls, string host, int port) => $"{(tls ? "akka.ssl.tcp" : "akka.tcp")}://{SystemName}@{host}:{port}";

    /// <summary>The address of the node at <paramref name="hostPort"/>, speaking the same protocol as <paramref name="system"/>.</summary>
    public static string AddressOf(Akka.Actor.ActorSystem system, string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var protocol = ((Akka.Actor.ExtendedActorSystem)system).Provider.DefaultAddress.Protocol;
        return $"{protocol}://{SystemName}@{hostPort[..colon]}:{hostPort[(colon + 1)..]}";
    }

    public static Config Build(ClusterSettings cluster, Type? loggerType)
    {
        // Seeds other than this node; a node whose only seed is itself joins itself (ClusterNode) without seed-node-timeout.
        var self = $"{cluster.Bind.Host}:{cluster.Bind.Port}";
        var others = cluster.Seeds.Where(s => $"{s.Host}:{s.Port}" != self).ToList();
        var seeds = others.Count == 0 ? "" : string.Join(", ", cluster.Seeds.Select(s => Quote(AddressOf(cluster.Tls is not null, s.Host, s.Port))));
        var roles = string.Join(", ", Quote(cluster.Witness ? WitnessRole : PortsRole), Quote(NameRolePrefix + cluster.NodeName));
        // The certificate and the peer check come from ClusterTls (a DotNettySslSetup), never from HOCON: one source.
        var tls = cluster.Tls is { } t
            ? $$"""
              enable-ssl = true
              ssl {
                suppress-validation = {{(t.SuppressValidation ? "on" : "off")}}
                require-mutual-authentication = on
              }
              """
            : "enable-ssl = false";
        var loggers = loggerType is null ? "" : $"akka.loggers = [{Quote(loggerType.AssemblyQualifiedName!)}]";
        // Gossip and failure detection are tuned for a handful of nodes on one LAN: unreachable after
        // heartbeat-pause (the inventory hides the node at once), downed by keep-majority after down-after.
        return ConfigurationFactory.ParseString($$"""
            {{loggers}}
            {{Serialization.ClusterMessages.Hocon()}}
            akka {
              loglevel = INFO
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              actor.provider = cluster
              remote {
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = {{Quote(cluster.Bind.Host)}}
                  port = {{cluster.Bind.Port}}
                  {{tls}}
                }
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = [{{roles}}]
                min-nr-of-members = 1
                log-info-verbose = off
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{(int)cluster.DownAfter.TotalMilliseconds}}ms
                  down-all-when-unstable = on
                }
                failure-detector {
                  heartbeat-interval = 1s
                  acceptable-heartbeat-pause = {{(int)cluster.HeartbeatPause.TotalMilliseconds}}ms
                }
                # A node the cluster downed ends only this actor system; ClusterNode starts a new one that rejoins.
                run-coordinated-shutdown-when-down = on
                # So does a join that does not complete: a node restarted (kill -9, then start) on its old address while
                # the cluster still held its old incarnation was once seen sending InitJoin for a minute without ever
                # receiving the acks it was sent; a fresh actor system (new UID, new associations) joins.
                shutdown-after-unsuccessful-join-seed-nodes = 20s
                # The proxy's "no singleton after 30 s" warning fires at every start, before the cluster formed; a tag
                # request that finds no singleton is answered when its wait ends (TagRequester) and says why.
                singleton-proxy.log-singleton-identification-failure = off
                distributed-data {
                  gossip-interval = 500ms
                  notify-subscribers-interval = 200ms
                }
              }
              coordinated-shutdown {
                exit-clr = off
                run-by-clr-shutdown-hook = off
              }
            }
            """);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
