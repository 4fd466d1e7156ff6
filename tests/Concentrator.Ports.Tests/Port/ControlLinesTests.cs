using Concentrator.Ports.Port;

namespace Concentrator.Ports.Tests.Port;

public sealed class ControlLinesTests
{
    private static readonly object Alice = new();
    private static readonly object Bob = new();

    [Fact]
    public void Lines_start_asserted_and_a_change_names_whether_the_device_must_be_told()
    {
        var lines = new ControlLines<object>();
        Assert.True(lines.Dtr && lines.Rts && !lines.Break);

        Assert.False(lines.Change(null, null, null, Alice));
        Assert.True(lines.Change(false, null, null, Alice));
        Assert.False(lines.Dtr);
        Assert.True(lines.Rts);
    }

    [Fact]
    public void Break_is_cleared_when_the_session_that_set_it_leaves_and_only_then()
    {
        var lines = new ControlLines<object>();
        lines.Change(null, null, true, Alice);

        Assert.False(lines.OwnerLeft(Bob));
        Assert.True(lines.Break);
        Assert.True(lines.OwnerLeft(Alice));
        Assert.False(lines.Break);
        Assert.False(lines.OwnerLeft(Alice)); // already cleared: nothing more to tell the device
    }

    [Fact]
    public void Break_cleared_by_another_session_is_no_longer_owned()
    {
        var lines = new ControlLines<object>();
        lines.Change(null, null, true, Alice);
        lines.Change(null, null, false, Bob);
        lines.Change(null, null, true, Bob);

        Assert.False(lines.OwnerLeft(Alice));
        Assert.True(lines.OwnerLeft(Bob));
    }

    [Fact]
    public void A_reopened_device_starts_without_break_and_changes_while_opening_are_noticed()
    {
        var lines = new ControlLines<object>();
        lines.Change(null, null, true, Alice);
        lines.Open();
        Assert.False(lines.Break);
        Assert.False(lines.ChangedSinceOpen);

        lines.Change(null, false, null, Alice);
        Assert.True(lines.ChangedSinceOpen);
    }
}
