using System.Text;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Tests.Security;

public sealed class LoginDialogueTests
{
    private static (LoginDialogue.Outcome Outcome, string Echo) Feed(LoginDialogue dialogue, string typed)
    {
        var echo = new StringBuilder();
        var outcome = dialogue.Feed(Encoding.UTF8.GetBytes(typed), echo);
        return (outcome, echo.ToString());
    }

    [Fact]
    public void The_name_is_echoed_and_editable_the_password_never_shown()
    {
        var login = new LoginDialogue();
        Assert.Equal((LoginDialogue.Outcome.MoreInput, "alx\b \bice\r\nPassword: "), Feed(login, "alx\u007fice\r\n"));
        Assert.True(login.AtPassword);
        Assert.Equal((LoginDialogue.Outcome.Entered, "\r\n"), Feed(login, "s3cret\r\0"));
        Assert.Equal("alice", login.User);
        Assert.Equal("s3cret", login.Password);
    }

    [Fact]
    public void An_empty_name_asks_again_a_lone_cr_or_lf_ends_a_line_once_and_ctrl_c_gives_up()
    {
        var login = new LoginDialogue();
        Assert.Equal((LoginDialogue.Outcome.MoreInput, "\r\nlogin: "), Feed(login, "\r\n"));
        Assert.Equal(LoginDialogue.Outcome.MoreInput, Feed(login, "bob\r").Outcome);
        Assert.Equal(LoginDialogue.Outcome.MoreInput, Feed(login, "\n").Outcome); // the LF of CR LF, split across reads
        Assert.Equal(LoginDialogue.Outcome.Entered, Feed(login, "pw\n").Outcome);
        login.Reset();
        Assert.False(login.AtPassword);
        Assert.Equal(LoginDialogue.Outcome.GaveUp, Feed(login, "x\u0003").Outcome);
    }

    [Fact]
    public void A_line_is_bounded_whatever_a_client_sends()
    {
        var login = new LoginDialogue();
        Feed(login, new string('a', 100_000) + "\r");
        Assert.Equal(LoginDialogue.Outcome.Entered, Feed(login, "pw\r").Outcome);
        Assert.Equal(128, login.User.Length);
    }
}
