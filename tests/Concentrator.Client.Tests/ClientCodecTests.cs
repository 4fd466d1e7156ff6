using System.Buffers;
using Concentrator.Client.Rfc2217;
using Concentrator.Client.Terminal;
using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Tests;

public sealed class ClientCodecTests
{
    private const byte Iac = 255, Sb = 250, Se = 240, Will = 251, Wont = 252, Do = 253, Dont = 254;

    private static (byte[] Data, byte[] Replies, List<ServerEvent> Events) Feed(Rfc2217ClientCodec codec, params byte[][] chunks)
    {
        var data = new ArrayBufferWriter<byte>();
        var replies = new ArrayBufferWriter<byte>();
        var events = new List<ServerEvent>();
        foreach (var chunk in chunks)
        {
            codec.Receive(chunk, data, replies, events);
        }

        return (data.WrittenSpan.ToArray(), replies.WrittenSpan.ToArray(), events);
    }

    private static Rfc2217ClientCodec Started(out byte[] opening)
    {
        var codec = new Rfc2217ClientCodec();
        var output = new ArrayBufferWriter<byte>();
        codec.Start(output);
        opening = output.WrittenSpan.ToArray();
        return codec;
    }

    [Fact]
    public void OpensWithBinarySgaAndComPort()
    {
        Started(out var opening);

        Assert.Equal(
            [Iac, Will, 0, Iac, Will, 3, Iac, Will, 44, Iac, Do, 0, Iac, Do, 3],
            opening);
    }

    [Fact]
    public void AnswersTheServerOpeningWithoutLoops()
    {
        var codec = Started(out _);

        // Our daemon's opening: WILL SGA, WILL ECHO, WILL BINARY, DO BINARY, DO COM-PORT, and an unknown DO TTYPE.
        var (_, replies, events) = Feed(codec, [Iac, Will, 3, Iac, Will, 1, Iac, Will, 0, Iac, Do, 0, Iac, Do, 44, Iac, Do, 24]);

        Assert.Equal([Iac, Do, 1, Iac, Wont, 24], replies); // only ECHO (not asked by us) and the refusal need answers
        Assert.Single(events.OfType<ComPortActive>());
        Assert.True(codec.ComPortEnabled && codec.SendBinary && codec.ReceiveBinary && codec.ServerEchoes);

        // Repeated offers for enabled options are not acknowledged again; a DONT is acknowledged once.
        var again = Feed(codec, [Iac, Will, 1, Iac, Do, 44, Iac, Dont, 0, Iac, Dont, 0]);
        Assert.Equal([Iac, Wont, 0], again.Replies);
        Assert.False(codec.SendBinary);
    }

    [Fact]
    public void UndoublesIacAndParsesRepliesSplitAnywhere()
    {
        var codec = Started(out _);
        byte[] stream = [(byte)'a', Iac, Iac, (byte)'b', Iac, Sb, 44, 101, 0, 0, 0xE1, 0, Iac, Se, Iac, Sb, 44, 101, 0, 0, Iac, Iac, Iac, Iac, Iac, Se,
            Iac, Sb, 44, 107, 0x30, Iac, Se, (byte)'c'];

        for (var split = 0; split <= stream.Length; split++)
        {
            var (data, _, events) = Feed(codec, stream[..split], stream[split..]);

            Assert.Equal([(byte)'a', 0xFF, (byte)'b', (byte)'c'], data);
            Assert.Equal(
                [new BaudRateIs(57600), new BaudRateIs(0xFFFF), new ModemStateIs(ModemState.ClearToSend | ModemState.DataSetReady)],
                events);
        }
    }

    [Fact]
    public void CrNulBecomesCrUntilTheServerIsBinary()
    {
        var codec = Started(out _);
        Assert.Equal([13, 10, 13, (byte)'x'], Feed(codec, [13, 10, 13, 0, (byte)'x']).Data);

        _ = Feed(codec, [Iac, Will, 0]);
        Assert.Equal([13, 0], Feed(codec, [13, 0]).Data);
    }

    [Fact]
    public void EncodesDataWithIacDoubledAndCrNulUntilBinary()
    {
        var codec = Started(out _);
        var output = new ArrayBufferWriter<byte>();
        codec.EncodeData([1, 0xFF, 13, 2], output);
        Assert.Equal([1, 0xFF, 0xFF, 13, 0, 2], output.WrittenSpan.ToArray());

        _ = Feed(codec, [Iac, Do, 0]);
        output.Clear();
        codec.EncodeData([0xFF, 13], output);
        Assert.Equal([0xFF, 0xFF, 13], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void LineChangesBecomeOnlyTheCommandsForTheChangedFields()
    {
        var before = new LineSettings(9600, 8, Parity.None, StopBits.One, FlowControl.None);
        var change = LineChange.Diff(before, before with { BaudRate = 57600, StopBits = StopBits.Two });
        var output = new ArrayBufferWriter<byte>();

        change.WriteCommands(output);

        Assert.Equal(
            [Iac, Sb, 44, 1, 0, 0, 0xE1, 0, Iac, Se, Iac, Sb, 44, 4, 2, Iac, Se],
            output.WrittenSpan.ToArray());
        Assert.Equal(new LineChange(57600, null, null, StopBits.Two, FlowControl.RtsCts),
            change.Merge(new LineChange(FlowControl: FlowControl.RtsCts)));
    }

    [Fact]
    public void SetBaudRateDoublesAnIacInsideTheValue()
    {
        var output = new ArrayBufferWriter<byte>();
        Rfc2217ClientCodec.SetBaudRate(output, 0x0000FF00);
        Assert.Equal([Iac, Sb, 44, 1, 0, 0, Iac, Iac, 0, Iac, Se], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void EscapeKeyQuitsBreaksAndPassesItselfWhenDoubled()
    {
        var filter = new EscapeFilter();
        var send = new List<byte>();
        var actions = new List<EscapeAction>();

        filter.Feed([(byte)'a', 0x1d], send, actions);
        filter.Feed([0x1d, (byte)'b', 0x1d, (byte)'b', 0x1d, (byte)'?', 0x1d, (byte)'q', (byte)'z'], send, actions);

        Assert.Equal([(byte)'a', 0x1d, (byte)'b', (byte)'z'], send);
        Assert.Equal([EscapeAction.Break, EscapeAction.Help, EscapeAction.Quit], actions);
    }

    [Theory]
    [InlineData("127.0.0.1:7000", "127.0.0.1", 7000)]
    [InlineData("rack-1.example:7001", "rack-1.example", 7001)]
    [InlineData("[::1]:7002", "::1", 7002)]
    public void ParsesHostAndPort(string text, string host, int port)
    {
        Assert.True(RemoteEndPoint.TryParse(text, out var endPoint));
        Assert.Equal(new RemoteEndPoint(host, port), endPoint);
    }

    [Theory]
    [InlineData("7000")]
    [InlineData("host:")]
    [InlineData("host:70000")]
    public void RejectsBadEndPoints(string text) => Assert.False(RemoteEndPoint.TryParse(text, out _));

    [Fact]
    public void A_login_counts_as_declared_only_through_the_servers_telnet_offer_never_through_console_text()
    {
        var codec = new Rfc2217ClientCodec();
        var (data, replies, _) = Feed(codec, "board login: "u8.ToArray(), [255, 255, 251, 107]); // the console prints IAC WILL 107 as data
        Assert.False(codec.ServerDeclaredLogin);
        Assert.Equal([.. "board login: "u8.ToArray(), 255, 251, 107], data);
        Assert.Empty(replies);

        (_, replies, _) = Feed(codec, [255, 251, 107]); // the server's own offer
        Assert.True(codec.ServerDeclaredLogin);
        Assert.Equal(new byte[] { 255, 253, 107 }, replies); // DO
    }
}
