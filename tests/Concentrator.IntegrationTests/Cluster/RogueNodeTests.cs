using Akka.Actor;
using Akka.Configuration;
using Concentrator.Cluster.Leases;
using Concentrator.Cluster.Membership;
using Concentrator.Cluster.Serialization;
using Concentrator.Ports.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// Issue 22, item 1: a system that reaches a node's cluster port without being a member (here a second actor system in
/// the test process, speaking the cluster's own wire format) gets nothing through the node's gateway: its kick is
/// dropped unanswered, logged, and the session it aimed at keeps working.
/// </summary>
public sealed class RogueNodeTests : IntegrationTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_system_that_is_not_a_member_cannot_kick_break_or_take_the_write_lock()
    {
        int cluster = FreeTcpPort.Next(), tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.cluster { node-name = "a", bind = "127.0.0.1:{{cluster}}", seeds = ["127.0.0.1:{{cluster}}"], down-after = 2s }
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """));
        daemon.WaitOnline("p");
        daemon.WaitFor("cluster: node a is up", Timeout);
        var client = Track(TcpClientSession.Connect(tcp));
        daemon.WaitFor("session 1 on port p: .* connected");

        using var rogue = ActorSystem.Create("rogue", ConfigurationFactory.ParseString($$"""
            {{ClusterMessages.Hocon()}}
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            """));
        var gateway = rogue.ActorSelection($"{ClusterConfig.AddressOf(tls: false, "127.0.0.1", cluster)}/user/{NodeGateway.Name}");

        // Asked like a member would: no answer comes, and the node says why.
        await Assert.ThrowsAnyAsync<Exception>(() => gateway.Ask<object>(new KickSession("p", 1, Requester.Admin("rogue")), TimeSpan.FromSeconds(3)));
        daemon.WaitFor("cluster gateway: dropped KickSession from akka.tcp://rogue@", Timeout);
        // Told without a sender (nothing to answer to): dropped as well.
        gateway.Tell(new SendBreakTo("p", TimeSpan.FromHours(1), Requester.Admin("rogue")), ActorRefs.NoSender);
        gateway.Tell(new ForceWriteLock("p", 1, Requester.Admin("rogue")), ActorRefs.NoSender);
        daemon.WaitFor("cluster gateway: dropped SendBreakTo from", Timeout);

        // The session the rogue aimed at is still there and still writes (the sentinel that nothing happened).
        client.Send("still here");
        Assert.Equal("still here", System.Text.Encoding.ASCII.GetString(client.ReadExactly(10, Timeout)));
        Assert.DoesNotContain("kicked by rogue", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("break sent by rogue", daemon.Output, StringComparison.Ordinal);
    }
}
