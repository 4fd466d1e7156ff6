using System.Net;
using CsCheck;
using Concentrator.Ports.Admission;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;

namespace Concentrator.Ports.Tests.Admission;

public sealed class PortAdmissionTests
{
    private static readonly Principal Anyone = Principal.Anonymous(new IPEndPoint(IPAddress.Loopback, 40000));

    private static ListenerSettings Listener(SessionAccess access) => PortSettingsBuilder.Listener(ListenerProtocol.Telnet, access, 7000);

    private static PortSettings Port(int maxSessions = 16, bool kickOld = false, WritePolicy policy = WritePolicy.Shared) =>
        PortSettingsBuilder.Port("con", listeners: Listener(SessionAccess.ReadWrite)) with { MaxSessions = maxSessions, KickOld = kickOld, WritePolicy = policy };

    private static AdmissionDecision Decide(PortSettings port, SessionAccess access, PortOccupancy occupancy) =>
        new PortAdmission(port).Decide(new AdmissionRequest(Listener(access), Anyone), occupancy);

    [Fact]
    public void A_read_write_listener_admits_a_writer_and_a_read_only_one_a_monitor()
    {
        Assert.Equal(new Admit(SessionRole.ReadWrite), Decide(Port(), SessionAccess.ReadWrite, PortOccupancy.Empty));
        Assert.Equal(new Admit(SessionRole.ReadOnly), Decide(Port(), SessionAccess.ReadOnly, PortOccupancy.Empty));
    }

    [Fact]
    public void At_max_sessions_a_newcomer_is_refused_with_a_line_naming_the_port_and_the_limit()
    {
        var refuse = Assert.IsType<Refuse>(Decide(Port(maxSessions: 2), SessionAccess.ReadWrite, new PortOccupancy(2, 1, false)));
        Assert.Equal("concentrator: port con is busy (2 sessions, max 2)\r\n", refuse.Line);
        Assert.Equal("max-sessions 2 reached", refuse.Reason);
    }

    [Fact]
    public void At_max_sessions_kick_old_makes_room_by_closing_the_oldest_session()
    {
        var admit = Assert.IsType<Admit>(Decide(Port(maxSessions: 2, kickOld: true), SessionAccess.ReadWrite, new PortOccupancy(2, 7, false)));
        Assert.Equal(new Admit(SessionRole.ReadWrite, Evict: 7), admit);
    }

    [Fact]
    public void A_read_only_newcomer_makes_room_only_by_closing_a_monitor_never_the_writer_or_lease_holder()
    {
        var port = Port(maxSessions: 2, kickOld: true);
        // Session 7 (the oldest) writes; session 9 is a monitor: the read-only newcomer closes 9.
        Assert.Equal(new Admit(SessionRole.ReadOnly, Evict: 9), Decide(port, SessionAccess.ReadOnly, new PortOccupancy(2, 7, false, OldestMonitor: 9)));
        // Every session may write (the writer and a lease holder's): the newcomer is refused instead.
        Assert.IsType<Refuse>(Decide(port, SessionAccess.ReadOnly, new PortOccupancy(2, 7, false, OldestMonitor: null)));
    }

    [Fact]
    public void Under_the_exclusive_policy_a_writer_waits_while_the_lock_is_held()
    {
        var exclusive = Port(policy: WritePolicy.Exclusive);
        Assert.Equal(new Admit(SessionRole.ReadWrite), Decide(exclusive, SessionAccess.ReadWrite, new PortOccupancy(1, 1, WriteLockHeld: false)));
        Assert.Equal(new Admit(SessionRole.WaitingWriter), Decide(exclusive, SessionAccess.ReadWrite, new PortOccupancy(1, 1, WriteLockHeld: true)));
        Assert.Equal(new Admit(SessionRole.ReadOnly), Decide(exclusive, SessionAccess.ReadOnly, new PortOccupancy(1, 1, WriteLockHeld: true)));
        Assert.Equal(new Admit(SessionRole.ReadWrite), Decide(Port(), SessionAccess.ReadWrite, new PortOccupancy(1, 1, WriteLockHeld: true)));
    }

    [Fact]
    public void Identity_rules_run_first_and_a_refusal_ends_the_decision_before_kick_old_evicts_anyone()
    {
        var seen = new List<Admit>();
        var admission = new PortAdmission(Port(maxSessions: 1, kickOld: true),
        [
            new RecordingRule(seen, (_, soFar) => soFar with { Role = SessionRole.ReadOnly }),
            new RecordingRule(seen, (_, _) => new Refuse("go away\r\n", "not on the list")),
            new RecordingRule(seen, (_, soFar) => soFar),
        ]);

        var decision = admission.Decide(new AdmissionRequest(Listener(SessionAccess.ReadWrite), Anyone), new PortOccupancy(1, 3, false));

        Assert.Equal(new Refuse("go away\r\n", "not on the list"), decision);
        Assert.Equal([new Admit(SessionRole.ReadWrite), new Admit(SessionRole.ReadOnly)], seen); // the third rule never ran
    }

    [Fact]
    public void Properties_no_admission_past_the_limit_without_an_eviction_and_read_only_listeners_never_write()
    {
        Gen.Select(Gen.Int[1, 8], Gen.Int[0, 10], Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool)
            .Sample((max, sessions, kickOld, exclusive, readOnly, held) =>
            {
                var port = Port(max, kickOld, exclusive ? WritePolicy.Exclusive : WritePolicy.Shared);
                var occupancy = new PortOccupancy(sessions, sessions > 0 ? 1 : null, held, OldestMonitor: sessions > 1 ? 2 : null);
                var decision = Decide(port, readOnly ? SessionAccess.ReadOnly : SessionAccess.ReadWrite, occupancy);
                return decision switch
                {
                    Admit a => (sessions < max || a.Evict == (a.MayWrite ? 1 : 2)) && (!readOnly || a.Role == SessionRole.ReadOnly),
                    Refuse => sessions >= max && !(kickOld && sessions > 0 && (!readOnly || sessions > 1)),
                    _ => false,
                };
            });
    }

    private sealed class RecordingRule(List<Admit> seen, Func<AdmissionRequest, Admit, AdmissionDecision> apply) : IAdmissionRule
    {
        public AdmissionDecision Apply(AdmissionRequest request, PortOccupancy occupancy, Admit soFar)
        {
            seen.Add(soFar);
            return apply(request, soFar);
        }
    }
}
