using Concentrator.Ports.Configuration;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Tests.Sharing;

/// <summary>Permit: the write right of sessions already here changes (a port's lease went to or from them).</summary>
public sealed class WriteArbiterPermitTests
{
    [Fact]
    public void Shared_losing_the_right_makes_a_session_read_only_and_getting_it_back_restores_it()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Shared);
        arbiter.Join("holder", true);
        arbiter.Join("other", true);

        Assert.Equal([("other", false)], arbiter.Permit([("holder", true), ("other", false)]));
        Assert.Equal([("other", true)], arbiter.Permit([("holder", true), ("other", true)]));
    }

    [Fact]
    public void Exclusive_the_lock_moves_straight_to_the_session_that_gains_the_right_without_a_flip_flop_in_between()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        arbiter.Join("a", true);       // holds the lock
        arbiter.Join("b", true);       // waits first
        arbiter.Join("holder", true);  // waits second

        var changes = arbiter.Permit([("a", false), ("b", false), ("holder", true)]);

        Assert.Equal([("a", false), ("holder", true)], changes.OrderBy(c => c.Session));
        Assert.False(arbiter.IsWaiting("b"));
        Assert.True(arbiter.CanWrite("holder"));

        Assert.Empty(arbiter.Permit([("a", false), ("b", false), ("holder", true)])); // the same again: nothing changes
        Assert.Empty(arbiter.Permit([("a", true), ("b", true), ("holder", true)]));   // they wait again, in this order
        Assert.Equal([("a", true)], arbiter.Leave("holder"));
    }

    [Fact]
    public void A_session_that_chose_read_only_stays_read_only_when_it_gains_the_right_and_unknown_sessions_are_ignored()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        arbiter.Join("a", true);
        arbiter.Release("a");
        arbiter.Permit([("a", false)]);

        Assert.Empty(arbiter.Permit([("a", true), ("ghost", true)]));
        Assert.False(arbiter.CanWrite("a"));
        Assert.False(arbiter.IsHeld);
    }
}
