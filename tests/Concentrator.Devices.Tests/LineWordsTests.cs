namespace Concentrator.Devices.Tests;

public sealed class LineWordsTests
{
    [Fact]
    public void Every_value_has_one_word_that_parses_back_in_any_case()
    {
        foreach (var p in Enum.GetValues<Parity>())
        {
            Assert.Equal(p, LineWords.Parse(LineWords.Parities, LineWords.Of(p).ToUpperInvariant()));
            Assert.Equal(p, LineWords.ParityOfLetter(char.ToLowerInvariant(LineWords.Letter(p))));
        }

        foreach (var s in Enum.GetValues<StopBits>())
        {
            Assert.Equal(s, LineWords.Parse(LineWords.StopBits, LineWords.Of(s)));
        }

        foreach (var f in Enum.GetValues<FlowControl>())
        {
            Assert.Equal(f, LineWords.Parse(LineWords.FlowControls, LineWords.Of(f).ToUpperInvariant()));
        }
    }

    [Fact]
    public void Unknown_words_are_null_and_the_choices_name_every_word()
    {
        Assert.Null(LineWords.Parse(LineWords.Parities, "evn"));
        Assert.Null(LineWords.ParityOfLetter('X'));
        Assert.Equal("none | odd | even | mark | space", LineWords.Choices(LineWords.Parities));
        Assert.Equal("1 | 1.5 | 2", LineWords.Choices(LineWords.StopBits));
        Assert.Equal("none | xonxoff | rtscts", LineWords.Choices(LineWords.FlowControls));
    }

    [Theory]
    [InlineData(115200, 8, Parity.None, StopBits.One, FlowControl.None, "115200 8N1")]
    [InlineData(9600, 7, Parity.Even, StopBits.OnePointFive, FlowControl.RtsCts, "9600 7E1.5 rtscts")]
    [InlineData(300, 5, Parity.Space, StopBits.Two, FlowControl.XonXoff, "300 5S2 xonxoff")]
    public void The_short_form_is_written_in_the_same_words(int baud, int dataBits, Parity parity, StopBits stopBits, FlowControl flow, string expected) =>
        Assert.Equal(expected, new LineSettings(baud, dataBits, parity, stopBits, flow).ToString());
}
