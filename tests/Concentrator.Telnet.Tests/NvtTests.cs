using System.Buffers;
using static Concentrator.Telnet.Tests.Wire;

namespace Concentrator.Telnet.Tests;

public sealed class NvtTests
{
    private static Harness BinaryBothWays()
    {
        var h = new Harness(TelnetMode.Telnet);
        h.Feed(Concat(Cmd(Do, 0), Cmd(Will, 0)));
        Assert.True(h.Codec.IsBinaryIn && h.Codec.IsBinaryOut);
        return h;
    }

    private static byte[] Encode(TelnetServerCodec codec, params byte[] data)
    {
        var output = new ArrayBufferWriter<byte>();
        codec.EncodeData(data, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Cr_nul_becomes_cr_and_cr_lf_passes_when_not_binary()
    {
        var h = new Harness(TelnetMode.Telnet);
        h.Feed((byte)'a', 13, 0, (byte)'b', 13, 10, (byte)'c', 13, (byte)'d');
        Assert.Equal(new byte[] { (byte)'a', 13, (byte)'b', 13, 10, (byte)'c', 13, (byte)'d' }, h.Data.WrittenSpan.ToArray());
    }

    [Fact]
    public void Cr_nul_split_across_segments_still_drops_the_nul()
    {
        var h = new Harness(TelnetMode.Telnet);
        h.Feed((byte)'a', 13);
        h.Feed(0, (byte)'b');
        Assert.Equal(new byte[] { (byte)'a', 13, (byte)'b' }, h.Data.WrittenSpan.ToArray());
    }

    [Fact]
    public void Cr_nul_passes_through_in_binary()
    {
        var h = BinaryBothWays();
        h.Feed((byte)'a', 13, 0, (byte)'b');
        Assert.Equal(new byte[] { (byte)'a', 13, 0, (byte)'b' }, h.Data.WrittenSpan.ToArray());
    }

    [Fact]
    public void Outgoing_cr_becomes_cr_nul_when_not_binary()
    {
        var codec = new TelnetServerCodec(TelnetMode.Telnet);
        Assert.Equal(new byte[] { (byte)'a', 13, 0, (byte)'b', 13, 0, 10 }, Encode(codec, (byte)'a', 13, (byte)'b', 13, 10));
    }

    [Fact]
    public void Outgoing_cr_is_untouched_in_binary()
    {
        var h = BinaryBothWays();
        Assert.Equal(new byte[] { (byte)'a', 13, (byte)'b', 13, 10 }, Encode(h.Codec, (byte)'a', 13, (byte)'b', 13, 10));
    }

    [Fact]
    public void Iac_is_doubled_out_and_undoubled_in()
    {
        var plain = new TelnetServerCodec(TelnetMode.Telnet);
        Assert.Equal(new byte[] { 1, 0xFF, 0xFF, 2, 0xFF, 0xFF, 0xFF, 0xFF }, Encode(plain, 1, 0xFF, 2, 0xFF, 0xFF));
        var binary = BinaryBothWays();
        Assert.Equal(new byte[] { 0xFF, 0xFF }, Encode(binary.Codec, 0xFF));

        var h = new Harness(TelnetMode.Telnet);
        h.Feed(1, Iac, Iac, 2, Iac);
        h.Feed(Iac, 3);
        Assert.Equal(new byte[] { 1, 0xFF, 2, 0xFF, 3 }, h.Data.WrittenSpan.ToArray());
        Assert.Empty(h.Events);
    }

    [Fact]
    public void Break_is_an_event_in_stream_order()
    {
        var codec = new TelnetServerCodec(TelnetMode.Telnet);
        var trace = new TraceReceiver();
        var reply = new ArrayBufferWriter<byte>();
        codec.Receive([(byte)'a', (byte)'b', Iac], reply, trace);
        codec.Receive([243, (byte)'c'], reply, trace);
        Assert.Equal(3, trace.Trace.Count);
        Assert.Equal("ab"u8.ToArray(), (List<byte>)trace.Trace[0]);
        Assert.Equal(BreakReceived.Instance, trace.Trace[1]);
        Assert.Equal("c"u8.ToArray(), (List<byte>)trace.Trace[2]);
        Assert.Equal(0, reply.WrittenCount);
    }

    [Fact]
    public void Are_you_there_is_answered()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Equal("\r\n[concentrator: yes]\r\n"u8.ToArray(), h.Feed(Iac, 246));
        Assert.Empty(h.Events);
        Assert.Equal(0, h.Data.WrittenCount);
    }

    [Fact]
    public void Nop_dm_ga_ec_el_ip_ao_and_unknown_commands_are_ignored()
    {
        var h = new Harness(TelnetMode.Telnet);
        var replies = h.Feed((byte)'x', Iac, 241, Iac, 242, Iac, 249, Iac, 247, Iac, 248, Iac, 244, Iac, 245, Iac, 7, Iac, Se, (byte)'y');
        Assert.Empty(replies);
        Assert.Empty(h.Events);
        Assert.Equal("xy"u8.ToArray(), h.Data.WrittenSpan.ToArray());
    }

    [Fact]
    public void Unterminated_subnegotiation_resynchronises_at_the_next_iac_command()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();
        // SB 44 2 8 without IAC SE, then IAC WILL 99: the SB is dropped and the WILL is processed.
        var replies = h.Feed(Iac, Sb, 44, 2, 8, Iac, Will, 99, (byte)'z');
        Assert.Equal(new byte[] { Iac, Dont, 99 }, replies);
        Assert.Empty(h.Events);
        Assert.Equal("z"u8.ToArray(), h.Data.WrittenSpan.ToArray());
    }
}
