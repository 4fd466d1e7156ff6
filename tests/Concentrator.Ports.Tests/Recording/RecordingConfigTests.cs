using Concentrator.Ports.Audit;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Recording;

namespace Concentrator.Ports.Tests.Recording;

/// <summary>The <c>recording</c> port key and the <c>recordings</c> and <c>audit</c> sections: defaults in the state directory, errors that name file, key and value.</summary>
public sealed class RecordingConfigTests
{
    private static ConfigResult Load(string port, string sections = "") => ConfigLoader.Load(
        $"concentrator {{\nports.p {{ device = \"sim:echo\", listeners = [{{ port = 7000 }}]\n{port}\n}}\n{sections}\n}}", "rack.conf", "/etc/concentrator",
        sections: [RecordingsConfigSection.Instance, AuditConfigSection.Instance]);

    [Fact]
    public void By_default_nothing_is_recorded_and_recordings_and_the_audit_trail_live_in_the_state_directory()
    {
        var settings = Load("").Settings!;
        Assert.Equal(RecordingMode.Off, settings.Ports[0].Recording);
        Assert.Equal(new RecordingSettings(Path.Combine(StateDirectory.Resolve(), "recordings"), 1L << 30, TimeSpan.FromDays(30)),
            settings.RecordingSettings());
        Assert.Equal(Path.Combine(StateDirectory.Resolve(), "audit.jsonl"), settings.AuditSettings().File);
        Assert.DoesNotContain(Environment.CurrentDirectory + "/", settings.RecordingSettings().Directory + "/", StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_is_read_and_relative_paths_are_relative_to_the_config_file()
    {
        var settings = Load("recording = all", """
            recordings { dir = "casts", max-size = 10MiB, max-age = 2d }
            audit { file = "log/audit.jsonl" }
            """).Settings!;
        Assert.Equal(RecordingMode.All, settings.Ports[0].Recording);
        Assert.Equal(new RecordingSettings("/etc/concentrator/casts", 10L << 20, TimeSpan.FromDays(2)), settings.RecordingSettings());
        Assert.Equal("/etc/concentrator/log/audit.jsonl", settings.AuditSettings().File);
        Assert.Null(Load("", "audit.file = off").Settings!.AuditSettings().File);
        Assert.Equal(RecordingMode.Output, Load("recording = output").Settings!.Ports[0].Recording);
    }

    [Theory]
    [InlineData("recording = video", "", "recording", "video")]
    [InlineData("", "recordings { dir = \"x\", max-sise = 1GiB }", "concentrator.recordings.max-sise", "1GiB")]
    [InlineData("", "recordings.max-age = 0s", "concentrator.recordings.max-age", "0s")]
    [InlineData("", "recordings.max-size = lots", "concentrator.recordings.max-size", "lots")]
    [InlineData("", "audit { path = \"/x\" }", "concentrator.audit.path", "/x")]
    public void A_bad_value_is_an_error_naming_the_file_the_key_and_the_value(string port, string sections, string key, string value)
    {
        var error = Assert.Single(Load(port, sections).Errors);
        Assert.Equal("rack.conf", error.File);
        Assert.EndsWith(key, error.Key, StringComparison.Ordinal);
        Assert.Equal(value, error.Value);
        Assert.Contains(value, error.ToString(), StringComparison.Ordinal);
    }
}
