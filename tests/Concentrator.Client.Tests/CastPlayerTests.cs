using System.Text;
using Concentrator.Client.Recording;

namespace Concentrator.Client.Tests;

/// <summary><c>concentrator play</c>'s player: output events in order, each waited for as its time says over the speed, long pauses cut.</summary>
public sealed class CastPlayerTests
{
    private const string Cast = """
        {"version":2,"width":80,"height":24}
        [0.5,"o","h\u00e9llo "]
        [0.75,"m","typing alice (session 1)"]
        [1.0,"i","ls\r"]
        [1.5,"o","\ud83d\ude00\r\n"]
        [61.5,"o","after a minute"]
        """;

    [Fact]
    public async Task Output_comes_in_order_after_each_gap_divided_by_the_speed_and_long_pauses_are_cut()
    {
        var waits = new List<TimeSpan>();
        var output = new MemoryStream();
        await new CastPlayer(2, (t, _) =>
        {
            waits.Add(t);
            return Task.CompletedTask;
        }).PlayAsync(new StringReader(Cast), output);

        Assert.Equal("h\u00e9llo \U0001F600\r\nafter a minute", Encoding.UTF8.GetString(output.ToArray())); // neither input nor markers
        Assert.Equal([TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(0.5), CastPlayer.MaxPause], waits);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("{\"version\":1}\n", "line 1: not an asciicast v2 header")]
    [InlineData("{\"version\":2}\n[1,\"o\"]\n", "line 2: not an asciicast event")]
    [InlineData("{\"version\":2}\n[1,\"o\",\"x\"]\nnot json\n", "line 3: not an asciicast event")]
    public async Task A_file_that_is_not_a_recording_is_refused_naming_the_line(string cast, string expected)
    {
        var e = await Assert.ThrowsAsync<FormatException>(() => new CastPlayer(1).PlayAsync(new StringReader(cast), new MemoryStream()));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }
}
