using System.Text;
using System.Text.Json;
using Concentrator.Ports.Channels;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Tests.Channels;

/// <summary>The browser terminal's control messages: what the server understands, and what it drops.</summary>
public sealed class ControlJsonTests
{
    private static ClientControl? Parse(string json) => ControlJson.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Every_client_message_parses_to_its_action()
    {
        Assert.Equal(new ResizeControl(120, 40), Parse("""{"type":"resize","cols":120,"rows":40}"""));
        Assert.Equal(BreakControl.Instance, Parse("""{"type":"break"}"""));
        Assert.Equal(ReplayControl.Instance, Parse("""{"type":"replay"}"""));
        Assert.Equal(WhoControl.Instance, Parse("""{"type":"who"}"""));
        Assert.Equal(new WriteControl(WriteLockAction.Ask), Parse("""{"type":"write","action":"ask"}"""));
        Assert.Equal(new WriteControl(WriteLockAction.Force), Parse("""{"action":"force","type":"write"}"""));
        Assert.Equal(new WriteControl(WriteLockAction.Release), Parse("""{"type":"write","action":"release","extra":[1,{"a":2}]}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"type\":")]
    [InlineData("[\"break\"]")]
    [InlineData("{\"type\":\"reboot\"}")]
    [InlineData("{\"type\":\"write\",\"action\":\"steal\"}")]
    [InlineData("{\"type\":\"resize\",\"cols\":0,\"rows\":40}")]
    [InlineData("{\"type\":\"resize\",\"cols\":80,\"rows\":99999999999}")]
    [InlineData("{\"type\":42}")]
    public void Malformed_or_unknown_messages_are_dropped(string json) => Assert.Null(Parse(json));

    [Fact]
    public void Server_messages_are_small_json_objects_with_a_type()
    {
        var session = JsonDocument.Parse(ControlJson.Encode(new SessionStartedControl(3, "rack \"a\""))).RootElement;
        Assert.Equal("session", session.GetProperty("type").GetString());
        Assert.Equal(3, session.GetProperty("id").GetInt32());
        Assert.Equal("rack \"a\"", session.GetProperty("port").GetString());

        var role = JsonDocument.Parse(ControlJson.Encode(new RoleControl(false, "read-only"))).RootElement;
        Assert.False(role.GetProperty("canWrite").GetBoolean());
        Assert.Equal("read-only", role.GetProperty("reason").GetString());

        var closed = JsonDocument.Parse(ControlJson.Encode(new ClosedControl("kicked by ops"))).RootElement;
        Assert.Equal("closed", closed.GetProperty("type").GetString());
        Assert.Equal("kicked by ops", closed.GetProperty("reason").GetString());
    }
}
