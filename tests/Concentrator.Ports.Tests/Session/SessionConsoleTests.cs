using Concentrator.Ports.Port;
using Concentrator.Ports.Session;
using Concentrator.Ports.Sharing;

namespace Concentrator.Ports.Tests.Session;

public sealed class SessionConsoleTests
{
    private static SessionConsole Console(bool listenerWritable = true)
    {
        Assert.True(EscapeSequence.TryParse("^Ec", out var escape));
        return new SessionConsole(escape, listenerWritable);
    }

    [Theory]
    [InlineData('f', WriteLockAction.Force)]
    [InlineData('a', WriteLockAction.Ask)]
    [InlineData('s', WriteLockAction.Release)]
    public void The_write_lock_commands_ask_the_port(char letter, WriteLockAction action)
    {
        var result = Console().Command(letter, canWrite: false);
        Assert.Equal(new WriteLockRequest(action), result.ToPort);
        Assert.False(result.Break);
        Assert.False(result.Disconnect);
    }

    [Fact]
    public void Replay_and_who_ask_the_port_and_say_nothing_themselves()
    {
        Assert.Same(RequestReplay.Instance, Console().Command('r', canWrite: true).ToPort);
        Assert.Same(ListSessions.Instance, Console().Command('w', canWrite: true).ToPort);
        Assert.Null(Console().Command('w', canWrite: true).Notice);
    }

    [Fact]
    public void A_break_goes_out_only_for_a_session_that_may_write_and_says_which()
    {
        Assert.Equal(new ConsoleAction(Break: true, Notice: "break sent"), Console().Command('b', canWrite: true));
        Assert.Equal(new ConsoleAction(Notice: "read-only: break not sent"), Console().Command('b', canWrite: false));
    }

    [Fact]
    public void Dot_disconnects_after_saying_so()
    {
        Assert.Equal(new ConsoleAction(Disconnect: true, Notice: "disconnecting"), Console().Command('.', canWrite: true));
    }

    [Theory]
    [InlineData('?')]
    [InlineData('x')]
    public void Any_other_letter_gets_the_help_which_names_every_command_and_the_escape(char letter)
    {
        var help = Console().Command(letter, canWrite: true).Notice!;
        foreach (var command in new[] { "f force write", "a ask for write", "s become read-only", "r replay", "b send break", "w who", ". disconnect", "? this help" })
        {
            Assert.Contains(command, help, StringComparison.Ordinal);
        }

        Assert.Contains("Ctrl-E c", help, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_only_input_hints_at_asking_for_write_only_where_the_listener_allows_writing()
    {
        Assert.Contains("Ctrl-E c a to ask for write", Console(listenerWritable: true).ReadOnlyInput(), StringComparison.Ordinal);
        Assert.Equal("read-only: your input is not sent to the device", Console(listenerWritable: false).ReadOnlyInput());
    }

    [Theory]
    [InlineData(true, true, false, true)] // a change after the first: always news
    [InlineData(false, true, true, false)] // the first, as expected: not news
    [InlineData(false, false, true, true)] // the first, and the session learns it cannot write: news
    [InlineData(false, false, false, false)] // the first on a read-only listener: not news
    public void Role_changes_are_announced_when_they_are_news(bool later, bool canWrite, bool couldWrite, bool announced)
    {
        Assert.Equal(announced, SessionConsole.Announces(new RoleChanged(canWrite, "why", Initial: !later), couldWrite));
    }

    [Fact]
    public void Notices_stand_on_a_line_of_their_own()
    {
        Assert.Equal("\r\n[concentrator: port p offline: unplugged]\r\n",
            SessionConsole.Framed(SessionConsole.PortState(new PortStatusChanged("p", DeviceState.Offline, "unplugged"))));
    }
}
