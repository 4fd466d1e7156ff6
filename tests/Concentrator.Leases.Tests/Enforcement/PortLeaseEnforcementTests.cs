using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Concentrator.Devices;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Concentrator.Testing;

namespace Concentrator.Leases.Tests.Enforcement;

/// <summary>
/// A real port actor on a loopback device with real TCP clients: while the port is leased for 127.0.0.2, the client
/// connecting from there writes and the one from 127.0.0.1 only watches; the moment the lease ends, both write again.
/// </summary>
public sealed class PortLeaseEnforcementTests : TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly IPAddress Holder = IPAddress.Parse("127.0.0.2");
    private static readonly PortLease Lease = new("L1", "ci", Holder, "secret", 1);

    private static PortSettings Settings(WritePolicy policy) => PortSettingsBuilder.Port() with { WritePolicy = policy };

    private (IActorRef Port, int Tcp) StartPort(WritePolicy policy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        socket.Listen(16);
        var port = Sys.ActorOf(PortActor.Props(Settings(policy), [socket]));
        AwaitAssert(() => Assert.Equal(DeviceState.Online, Snapshot(port).State), Timeout);
        return (port, ((IPEndPoint)socket.LocalEndPoint!).Port);
    }

    private static PortSnapshot Snapshot(IActorRef port) => port.Ask<PortSnapshot>(new GetPort("test"), Timeout).GetAwaiter().GetResult();

    private Socket Connect(IActorRef port, int tcp, IPAddress from)
    {
        var before = Snapshot(port).Sessions.Count;
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = (int)Timeout.TotalMilliseconds };
        client.Bind(new IPEndPoint(from, 0));
        client.Connect(IPAddress.Loopback, tcp);
        AwaitAssert(() => Assert.Equal(before + 1, Snapshot(port).Sessions.Count), Timeout);
        return client;
    }

    private static string RoleOf(IActorRef port, Socket client)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        return Snapshot(port).Sessions.Single(s => s.Peer.Contains($"{local.Address}:{local.Port}", StringComparison.Ordinal)).Role;
    }

    private static string Read(Socket client, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = client.Receive(buffer, read, count - read, SocketFlags.None);
            Assert.NotEqual(0, n);
            read += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    private void AwaitBytesToDevice(IActorRef port, long bytes) =>
        AwaitAssert(() => Assert.Equal(bytes, Snapshot(port).Counters.BytesToDevice), Timeout);

    [Fact]
    public void Under_a_lease_only_the_holder_writes_everyone_still_watches_and_the_end_of_the_lease_frees_everyone_at_once()
    {
        var (port, tcp) = StartPort(WritePolicy.Shared);
        using var holder = Connect(port, tcp, Holder);
        using var other = Connect(port, tcp, IPAddress.Loopback);

        port.Tell(new PortLeaseChanged("test", Lease, "granted to ci"));
        AwaitAssert(() => Assert.Equal("read-only", RoleOf(port, other)), Timeout);
        Assert.Equal("read-write", RoleOf(port, holder));

        other.Send("xx"u8);
        holder.Send("a"u8);
        AwaitBytesToDevice(port, 1);
        Assert.Equal("a", Read(holder, 1));
        Assert.Equal("a", Read(other, 1)); // the non-holder still sees the console

        using var late = Connect(port, tcp, IPAddress.Loopback); // a newcomer while leased is admitted read-only
        Assert.Equal("read-only", RoleOf(port, late));

        port.Tell(new PortLeaseChanged("test", null, "expired"));
        AwaitAssert(() => Assert.Equal("read-write", RoleOf(port, other)), Timeout);
        Assert.Equal("read-write", RoleOf(port, late));
        other.Send("b"u8);
        AwaitBytesToDevice(port, 2);
        Assert.Equal("b", Read(holder, 1));
    }

    [Fact]
    public void Under_the_exclusive_policy_a_lease_moves_the_write_lock_to_the_holder_and_the_others_wait_after_it()
    {
        var (port, tcp) = StartPort(WritePolicy.Exclusive);
        using var other = Connect(port, tcp, IPAddress.Loopback);
        using var holder = Connect(port, tcp, Holder);
        Assert.Equal(("read-write", "waiting"), (RoleOf(port, other), RoleOf(port, holder)));

        port.Tell(new PortLeaseChanged("test", Lease, "granted to ci"));
        AwaitAssert(() => Assert.Equal(("read-only", "read-write"), (RoleOf(port, other), RoleOf(port, holder))), Timeout);

        port.Tell(new PortLeaseChanged("test", null, "released by ci"));
        AwaitAssert(() => Assert.Equal(("waiting", "read-write"), (RoleOf(port, other), RoleOf(port, holder))), Timeout);
    }

    [Fact]
    public void The_same_lease_sent_again_changes_nothing()
    {
        var (port, tcp) = StartPort(WritePolicy.Exclusive);
        using var holder = Connect(port, tcp, Holder);
        port.Tell(new PortLeaseChanged("test", Lease, "granted to ci"));
        port.Tell(new PortLeaseChanged("test", Lease with { }, "lease in force"));

        AwaitAssert(() => Assert.Equal("read-write", RoleOf(port, holder)), Timeout);
        holder.Send("z"u8);
        AwaitBytesToDevice(port, 1);
    }
}
