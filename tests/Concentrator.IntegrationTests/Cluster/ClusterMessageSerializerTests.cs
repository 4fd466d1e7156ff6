using System.Text;
using System.Text.Json;
using Akka.Actor;
using Concentrator.Cluster.Inventory;
using Concentrator.Cluster.Leases;
using Concentrator.Cluster.Serialization;
using Concentrator.Devices;
using Concentrator.Leases;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using CsCheck;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>The wire format between nodes: every message type survives the trip, and a peer cannot name a type of its choosing.</summary>
public sealed class ClusterMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test", "akka.loglevel = WARNING");
    private readonly ClusterMessageSerializer _serializer;

    public ClusterMessageSerializerTests() => _serializer = new ClusterMessageSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private static readonly Gen<string> Word = Gen.String[Gen.Char.AlphaNumeric, 1, 12];
    private static readonly Gen<string> AnyText = Gen.String[Gen.Char, 0, 40]; // any UTF-16, quotes and controls included

    private static readonly Gen<AcquireLease> Acquires =
        from port in Word.Null()
        from tags in Word.List[0, 4]
        from ttl in Gen.Long[1, TimeSpan.FromDays(7).Ticks]
        from wait in Gen.Long[0, TimeSpan.FromDays(1).Ticks]
        from holder in AnyText
        from forHost in Gen.Int[0, 2].Select(i => i switch { 0 => null, 1 => "10.0.0.5", _ => (string?)"::1" })
        from priority in Gen.Int
        from requestId in AnyText.Null()
        select new AcquireLease(port, tags.Count == 0 ? null : [.. tags], TimeSpan.FromTicks(ttl), TimeSpan.FromTicks(wait), holder, forHost, priority, requestId);

    private static readonly Gen<LeaseInfo> Infos =
        from id in Word
        from port in Word
        from epoch in Gen.Long[1, long.MaxValue]
        from holder in AnyText
        from granted in Gen.Long[0, 4_000_000_000_000L]
        select new LeaseInfo(id, port, "127.0.0.1:7000", epoch, holder, null, 0, null,
            DateTimeOffset.FromUnixTimeMilliseconds(granted), DateTimeOffset.FromUnixTimeMilliseconds(granted + 60_000));

    private static readonly Gen<NodeInventory> Inventories =
        from node in Word
        from ports in (from name in Word
                       from tags in Word.List[0, 3]
                       from sessions in Gen.Int[0, 100]
                       from lease in Infos.Null()
                       select new InventoryPort(name, "online", [.. tags], ["raw on 127.0.0.1:7000"], sessions,
                           lease is null ? null : new InventoryLease(lease.Id, lease.Holder, lease.Epoch, lease.Expires))).List[0, 8]
        from witness in Gen.Bool
        select new NodeInventory(node, "127.0.0.1:4053", "http://127.0.0.1:7900", witness, [.. ports]);

    [Fact]
    public void Lease_requests_inventory_entries_and_answers_come_back_the_same()
    {
        Acquires.Sample(AssertRoundTrip);
        Inventories.Sample(AssertRoundTrip);
        Infos.Select(i => (object)new TagMatchAnswer("k", new LeaseGranted(i, "token"))).Sample(AssertRoundTrip);
        Infos.Select(i => (object)new LeaseList([i, i], [new LeaseWaiterInfo("tags", "h", 1, null, i.Expires)])).Sample(AssertRoundTrip);
    }

    [Fact]
    public void Every_bound_type_has_an_example_that_comes_back_the_same()
    {
        var line = new LineSettings(9600, 7, Parity.Even, StopBits.Two, FlowControl.RtsCts);
        var snapshot = new PortSnapshot("p", "/dev/ttyUSB0", DeviceState.Online, DateTimeOffset.UnixEpoch, null, "/dev/ttyUSB0", line,
            new ModemLines(true, false, false, true, true, false, true), new PortCounters(1, 2, 3, 4, 5, 6, 7), ["lab"], ["raw on 127.0.0.1:7000"],
            [new SessionSnapshot("p:1", 1, "p", "127.0.0.1:5000", "alice", "read-write", "raw", "raw on 127.0.0.1:7000", 10, 20, 0, DateTimeOffset.UnixEpoch)])
        {
            ListenersDown = ["telnet on 127.0.0.1:7001"],
        };
        var info = new LeaseInfo("id", "p", null, 3, "ci", "10.0.0.5", 1, "r1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(5));
        var operate = Requester.Limited("api token ci (operate)", Principal.User("alice", null, ["ops"]));
        object[] examples =
        [
            new NodeInventory("rack-a", "127.0.0.1:4053", null, false, [new InventoryPort("p", "online", ["lab"], [], 1, null)]),
            new AcquireLease("p", null, TimeSpan.FromMinutes(5), TimeSpan.Zero, "ci"), new RenewLease("id", "t", TimeSpan.FromMinutes(1)),
            new ReleaseLease("id", "t"), new RevokeLease("id", "admin", "why"), ListLeases.Instance,
            new LeaseGranted(info, "token"), new LeaseRenewed(info), new LeaseEnded(info, LeaseEventKind.Revoked), new LeaseNotGranted("busy"),
            new LeaseNotFound("p"), new LeaseInvalid("ttl"), new LeaseForbidden("token"), new LeaseGone("id", "expired"),
            new LeaseQueueFull("full"), new LeaseUnavailable("down"), new LeaseList([info], []),
            new MatchTags("k", new AcquireLease(null, ["lab"], TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), "ci"), TimeSpan.FromSeconds(5), _system.DeadLetters),
            new CancelMatch("k"), new TagMatchAnswer("k", new LeaseNotGranted("busy")),
            ListPorts.Instance, new GetPort("p"), new KickSession("p", 1, Requester.Admin("admin")),
            new SetLine("p", new ChangeLine(BaudRate: 9600), operate), new SendBreakTo("p", TimeSpan.FromMilliseconds(250), Requester.Admin("admin")),
            new ForceWriteLock("p", 1, operate), new ActionRefused("p", "its ACL"), new PortList([snapshot]), snapshot, new PortNotFound("p"), new SessionNotFound("p", 1),
            new PortOffline("p", DeviceState.Offline), new Done("kicked"), new LineChanged(new PortLineState(line, true, true, false, ModemStatus.ClearToSend)),
            new PortLineState(line, true, false, false, ModemStatus.None),
            new Concentrator.Ports.Power.SwitchPower("p", Concentrator.Ports.Power.PowerAction.Cycle, operate),
            new Concentrator.Ports.Power.PowerSwitched("p", Concentrator.Ports.Power.PowerAction.Status, true, "Chassis Power is on\n"),
            new Concentrator.Ports.Power.PowerNotConfigured("p", Concentrator.Ports.Power.PowerAction.Off),
        ];
        var bound = ClusterMessages.Types.ToHashSet();
        foreach (var type in bound)
        {
            Assert.Contains(examples, e => type.IsInstanceOfType(e));
        }

        foreach (var example in examples)
        {
            Assert.Contains(bound, t => t.IsInstanceOfType(example));
            AssertRoundTrip(example);
        }
    }

    [Theory]
    [InlineData("System.Diagnostics.Process, System.Diagnostics.Process")]
    [InlineData("System.IO.FileInfo, System.Runtime")]
    [InlineData("Concentrator.NoSuchType, Concentrator.Ports")]
    [InlineData("")]
    public void A_manifest_naming_anything_but_our_message_types_is_refused(string manifest)
    {
        var e = Assert.Throws<JsonException>(() => _serializer.FromBinary("{}"u8.ToArray(), manifest));
        Assert.Contains("refusing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nested_answer_naming_a_foreign_type_is_refused()
    {
        var payload = Encoding.UTF8.GetBytes("""{"Key":"k","Answer":{"type":"System.IO.FileInfo, System.Runtime","value":{}}}""");
        Assert.Throws<JsonException>(() => _serializer.FromBinary(payload, _serializer.Manifest(new TagMatchAnswer("k", new LeaseNotFound("x")))));
    }

    /// <summary>Bytes → object → bytes gives the same bytes, and the object has the same runtime type.</summary>
    private void AssertRoundTrip(object message)
    {
        var bytes = _serializer.ToBinary(message);
        var back = _serializer.FromBinary(bytes, _serializer.Manifest(message));
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(_serializer.ToBinary(back)));
    }
}
