using Concentrator.Ports.Automation;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Tests.Configuration;

/// <summary>The automation port keys: capture and triggers read as written; bad values named by file, port, key and value.</summary>
public sealed class AutomationConfigTests
{
    private static ConfigResult Load(string hocon) => ConfigLoader.Load(hocon, "test.conf", "/tmp");

    [Fact]
    public void Capture_and_triggers_are_read_with_their_defaults()
    {
        var result = Load("""
            concentrator.ports.lab {
              device = "sim:echo", listeners = [{ port = 7000 }], capture = 2MiB
              triggers {
                panic { match = "Kernel panic", clear = "login:", webhook = "http://127.0.0.1:9000/hook", command = ["/usr/local/bin/page", "ops"], revoke-lease = on, at-most = "1/10s" }
                oops { match = "Oops" }
              }
            }
            concentrator.ports.other { device = "sim:echo", listeners = [{ port = 7001 }] }
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var lab = result.Settings!.Ports.Single(p => p.Name == "lab");
        Assert.Equal(2 * 1024 * 1024, lab.Capture);
        Assert.Equal(new TriggerSettings("panic", "Kernel panic", "login:", new Uri("http://127.0.0.1:9000/hook"), ["/usr/local/bin/page", "ops"],
            RevokeLease: true, AtMostCount: 1, AtMostPer: TimeSpan.FromSeconds(10)), lab.Triggers.Single(t => t.Name == "panic"));
        Assert.False(lab.Triggers.Single(t => t.Name == "oops").RateLimited);
        var other = result.Settings.Ports.Single(p => p.Name == "other");
        Assert.Equal(OutputCapture.DefaultCapacity, other.Capture);
        Assert.Empty(other.Triggers);
    }

    [Theory]
    [InlineData("""bad { match = "(a+)+\\1" }""", "triggers.bad.match", "non-backtracking")]
    [InlineData("""bad { clear = "x" }""", "triggers.bad.match", "missing")]
    [InlineData("""bad { match = "x", webhook = "ftp://host/x" }""", "triggers.bad.webhook", "http://")]
    [InlineData("""bad { match = "x", at-most = "often" }""", "triggers.bad.at-most", "1/10s")]
    [InlineData("""bad { match = "x", command = "page ops" }""", "triggers.bad.command", "no shell")]
    [InlineData("""bad { match = "x", webhok = "http://h/" }""", "triggers.bad.webhok", "did you mean 'webhook'")]
    public void A_bad_trigger_names_its_key_and_value(string trigger, string key, string problem)
    {
        var result = Load($$"""concentrator.ports.lab { device = "sim:echo", listeners = [{ port = 7000 }], triggers { {{trigger}} } }""");
        var error = Assert.Single(result.Errors);
        Assert.Equal("test.conf", error.File);
        Assert.Equal("lab", error.Port);
        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.ToString(), StringComparison.Ordinal);
    }
}
