using Concentrator.Ports.Configuration;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Tests.Sharing;

public sealed class WriteArbiterTests
{
    [Fact]
    public void Shared_lets_every_read_write_session_write()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Shared);
        Assert.Equal([("a", true)], arbiter.Join("a", readWrite: true));
        Assert.Equal([("b", true)], arbiter.Join("b", readWrite: true));
        Assert.Equal([("m", false)], arbiter.Join("m", readWrite: false));
        Assert.True(arbiter.CanWrite("a") && arbiter.CanWrite("b"));
        Assert.False(arbiter.CanWrite("m"));
    }

    [Fact]
    public void Exclusive_gives_the_lock_to_the_first_and_promotes_the_longest_waiting()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        Assert.Equal([("a", true)], arbiter.Join("a", true));
        Assert.Equal([("b", false)], arbiter.Join("b", true));
        Assert.Equal([("c", false)], arbiter.Join("c", true));
        Assert.True(arbiter.IsWaiting("b"));

        Assert.Equal([("b", true)], arbiter.Leave("a"));
        Assert.Equal([("c", true)], arbiter.Leave("b"));
    }

    [Fact]
    public void Read_only_sessions_never_get_the_lock()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        arbiter.Join("monitor", false);
        Assert.Empty(arbiter.Force("monitor"));
        Assert.Empty(arbiter.Ask("monitor"));
        Assert.False(arbiter.CanWrite("monitor"));
        Assert.Equal([("a", true)], arbiter.Join("a", true));
    }

    [Fact]
    public void Force_takes_the_lock_and_the_previous_holder_waits_first_in_line()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        arbiter.Join("a", true);
        arbiter.Join("b", true);
        arbiter.Join("c", true);

        var changes = arbiter.Force("c");
        Assert.Contains(("c", true), changes);
        Assert.Contains(("a", false), changes);
        Assert.Equal(2, changes.Count);

        Assert.Equal([("a", true)], arbiter.Leave("c"));
    }

    [Fact]
    public void Release_passes_the_lock_on_and_ask_queues_again()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Exclusive);
        arbiter.Join("a", true);
        arbiter.Join("b", true);

        var changes = arbiter.Release("a");
        Assert.Contains(("a", false), changes);
        Assert.Contains(("b", true), changes);
        Assert.False(arbiter.IsWaiting("a"));

        Assert.Empty(arbiter.Ask("a"));
        Assert.True(arbiter.IsWaiting("a"));
        Assert.Equal([("a", true)], arbiter.Leave("b"));
    }

    [Fact]
    public void Shared_release_and_ask_toggle_a_sessions_own_writing()
    {
        var arbiter = new WriteArbiter<string>(WritePolicy.Shared);
        arbiter.Join("a", true);
        Assert.Equal([("a", false)], arbiter.Release("a"));
        Assert.Equal([("a", true)], arbiter.Ask("a"));
    }
}
