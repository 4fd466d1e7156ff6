using Concentrator.Telnet.Rfc2217;
using static Concentrator.Telnet.Tests.Wire;

namespace Concentrator.Telnet.Tests;

public sealed class Rfc2217SequenceTests
{
    private static readonly byte[] Do44 = [Iac, Do, 44];

    [Fact]
    public void Start_offers_sga_echo_binary_both_ways_and_do_com_port()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        Assert.Equal(
            new byte[] { Iac, Will, 3, Iac, Will, 1, Iac, Will, 0, Iac, Do, 0, Iac, Do, 44 },
            h.StartBytes.WrittenSpan.ToArray());
    }

    [Fact]
    public void Hub4com_opening_sequence_yields_typed_events_and_exact_replies()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        var input = Concat(
            Cmd(Will, 44),
            Sb44(1, 0, 0, 4, 176),
            Sb44(2, 7),
            Sb44(3, 1),
            Sb44(4, 1),
            Sb44(5, 9),
            Sb44(5, 12),
            Sb44(5, 6));

        var negotiationReplies = h.Feed(input);

        Assert.Empty(negotiationReplies); // our DO 44 was already pending: the WILL is its acknowledgement
        Assert.Equal(
            new TelnetEvent[]
            {
                ComPortEnabled.Instance,
                new SetBaudRate(1200),
                new SetDataSize(7),
                new SetParity(ComPortParity.None),
                new SetStopSize(ComPortStopSize.One),
                new SetControl(ComPortControl.DtrOff),
                new SetControl(ComPortControl.RtsOff),
                new SetControl(ComPortControl.BreakOff),
            },
            h.Events);
        Assert.True(h.Codec.IsComPortEnabled);
        Assert.Equal(0, h.Data.WrittenCount);

        // The session answers with what is in effect (here: what was asked).
        Assert.Equal(Sb44(101, 0, 0, 4, 176), Harness.Encode(o => ComPortReply.BaudRate(o, 1200)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 101, 0, 0, 4, 176, Iac, Se }, Harness.Encode(o => ComPortReply.BaudRate(o, 1200)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 102, 7, Iac, Se }, Harness.Encode(o => ComPortReply.DataSize(o, 7)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 103, 1, Iac, Se }, Harness.Encode(o => ComPortReply.Parity(o, ComPortParity.None)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 104, 1, Iac, Se }, Harness.Encode(o => ComPortReply.StopSize(o, ComPortStopSize.One)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 105, 9, Iac, Se }, Harness.Encode(o => ComPortReply.Control(o, ComPortControl.DtrOff)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 105, 12, Iac, Se }, Harness.Encode(o => ComPortReply.Control(o, ComPortControl.RtsOff)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 105, 6, Iac, Se }, Harness.Encode(o => ComPortReply.Control(o, ComPortControl.BreakOff)));

        var everythingSent = Concat(h.StartBytes.WrittenSpan.ToArray(), h.Reply.WrittenSpan.ToArray());
        Assert.Equal(1, Count(everythingSent, Do44));
    }

    [Fact]
    public void Client_will_44_before_start_is_answered_with_one_do_44()
    {
        var h = new Harness(TelnetMode.Rfc2217, start: false);
        Assert.Equal(Do44, h.Feed(Cmd(Will, 44)));
        Assert.Empty(h.Feed(Cmd(Will, 44)));
        h.Codec.Start(h.StartBytes);
        Assert.Equal(0, Count(h.StartBytes.WrittenSpan, Do44));
        Assert.Equal([ComPortEnabled.Instance], h.Events);
    }

    [Fact]
    public void Pyserial_like_opening_negotiates_binary_and_parses_settings()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        // pyserial: DO ECHO, WILL SGA, DO SGA, WILL COM-PORT-OPTION, then acks our WILL/DO BINARY.
        var replies = h.Feed(Concat(
            Cmd(Do, 1), Cmd(Will, 3), Cmd(Do, 3), Cmd(Will, 44),
            Cmd(Do, 0), Cmd(Will, 0)));
        Assert.Equal(new byte[] { Iac, Do, 3 }, replies); // only the client's own SGA offer needs an answer
        Assert.True(h.Codec.IsBinaryIn);
        Assert.True(h.Codec.IsBinaryOut);
        Assert.True(h.Codec.IsEnabledLocally(TelnetOption.Echo));
        Assert.True(h.Codec.IsEnabledLocally(TelnetOption.SuppressGoAhead));
        Assert.True(h.Codec.IsEnabledRemotely(TelnetOption.SuppressGoAhead));

        replies = h.Feed(Concat(
            Sb44(1, 0, 0, 0x25, 0x80), Sb44(2, 8), Sb44(3, 1), Sb44(4, 1),
            Sb44(5, 11), Sb44(5, 8), Sb44(5, 1), Sb44(12, 3)));
        Assert.Empty(replies);
        Assert.Equal(
            new TelnetEvent[]
            {
                ComPortEnabled.Instance,
                new SetBaudRate(9600),
                new SetDataSize(8),
                new SetParity(ComPortParity.None),
                new SetStopSize(ComPortStopSize.One),
                new SetControl(ComPortControl.RtsOn),
                new SetControl(ComPortControl.DtrOn),
                new SetControl(ComPortControl.FlowControlNone),
                new PurgeData(ComPortPurge.Both),
            },
            h.Events);
    }

    [Fact]
    public void Sb_44_after_our_do_is_accepted_without_the_clients_will()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        Assert.Empty(h.Feed(Sb44(1, 0, 0, 0x25, 0x80)));
        Assert.Equal([ComPortEnabled.Instance, new SetBaudRate(9600)], h.TakeEvents());
        Assert.True(h.Codec.IsComPortEnabled);

        Assert.Empty(h.Feed(Cmd(Will, 44))); // late WILL: already enabled, not re-acknowledged
        Assert.Empty(h.TakeEvents());
    }

    [Fact]
    public void Sb_44_is_ignored_when_we_never_sent_do_44()
    {
        var h = new Harness(TelnetMode.Rfc2217, start: false);
        Assert.Empty(h.Feed(Sb44(1, 0, 0, 0x25, 0x80)));
        Assert.Empty(h.Events);
        Assert.False(h.Codec.IsComPortEnabled);
    }

    [Fact]
    public void Telnet_mode_refuses_com_port_option_and_ignores_its_commands()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Equal(0, Count(h.StartBytes.WrittenSpan, Do44));
        Assert.Equal(new byte[] { Iac, Dont, 44 }, h.Feed(Cmd(Will, 44)));
        Assert.Empty(h.Feed(Sb44(1, 0, 0, 4, 176)));
        Assert.Empty(h.Events);
        Assert.False(h.Codec.IsComPortEnabled);
    }

    [Fact]
    public void Baud_rate_with_ff_byte_is_undoubled_in_and_doubled_out()
    {
        const uint rate = 0x0001C2FF;
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();

        h.Feed(Iac, Sb, 44, 1, 0x00, 0x01, 0xC2, 0xFF, 0xFF, Iac, Se);
        Assert.Equal([new SetBaudRate(rate)], h.TakeEvents());

        Assert.Equal(
            new byte[] { Iac, Sb, 44, 101, 0x00, 0x01, 0xC2, 0xFF, 0xFF, Iac, Se },
            Harness.Encode(o => ComPortReply.BaudRate(o, rate)));
        Assert.Equal(
            new byte[] { Iac, Sb, 44, 101, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Iac, Se },
            Harness.Encode(o => ComPortReply.BaudRate(o, uint.MaxValue)));
    }

    [Fact]
    public void Masks_of_ff_are_parsed_and_replied_doubled()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();
        h.Feed(Concat(Sb44(11, 0xFF), Sb44(10, 0xFF)));
        Assert.Equal(
            [new SetModemStateMask((ModemState)0xFF), new SetLineStateMask((LineState)0xFF)],
            h.TakeEvents());
        Assert.Equal(
            new byte[] { Iac, Sb, 44, 111, 0xFF, 0xFF, Iac, Se },
            Harness.Encode(o => ComPortReply.ModemStateMask(o, (ModemState)0xFF)));
        Assert.Equal(
            new byte[] { Iac, Sb, 44, 110, 0xFF, 0xFF, Iac, Se },
            Harness.Encode(o => ComPortReply.LineStateMask(o, (LineState)0xFF)));
    }

    [Fact]
    public void Other_replies_have_rfc_lengths_and_codes()
    {
        Assert.Equal(new byte[] { Iac, Sb, 44, 106, 0x60, Iac, Se }, Harness.Encode(o => ComPortReply.NotifyLineState(o, (LineState)0x60)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 107, 0xB8, Iac, Se }, Harness.Encode(o => ComPortReply.NotifyModemState(o, (ModemState)0xB8)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 107, 0xFF, 0xFF, Iac, Se }, Harness.Encode(o => ComPortReply.NotifyModemState(o, (ModemState)0xFF)));
        Assert.Equal(new byte[] { Iac, Sb, 44, 108, Iac, Se }, Harness.Encode(ComPortReply.FlowControlSuspend));
        Assert.Equal(new byte[] { Iac, Sb, 44, 109, Iac, Se }, Harness.Encode(ComPortReply.FlowControlResume));
        Assert.Equal(new byte[] { Iac, Sb, 44, 112, 2, Iac, Se }, Harness.Encode(o => ComPortReply.PurgeData(o, ComPortPurge.Transmit)));
    }

    [Fact]
    public void Signature_query_is_answered_with_our_text_and_client_text_is_reported()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();

        var reply = h.Feed(Sb44(0));
        Assert.Equal(Concat([Iac, Sb, 44, 100], "Concentrator"u8.ToArray(), [Iac, Se]), reply);
        Assert.Equal([new Signature(null)], h.TakeEvents());

        Assert.Empty(h.Feed(Sb44([0, .. "hub4com"u8.ToArray()])));
        Assert.Equal([new Signature("hub4com")], h.TakeEvents());
    }

    [Fact]
    public void Poll_suspend_resume_and_queries_are_typed()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();
        h.Feed(Concat(Sb44(7), Sb44(8), Sb44(9), Sb44(1, 0, 0, 0, 0), Sb44(2, 0), Sb44(3, 0), Sb44(4, 0), Sb44(5, 7)));
        var events = h.TakeEvents();
        Assert.Equal(
            new TelnetEvent[]
            {
                ModemStatePoll.Instance, FlowControlSuspend.Instance, FlowControlResume.Instance,
                new SetBaudRate(0), new SetDataSize(0), new SetParity(ComPortParity.Query),
                new SetStopSize(ComPortStopSize.Query), new SetControl(ComPortControl.QueryDtr),
            },
            events);
        Assert.True(((SetBaudRate)events[3]).IsQuery);
        Assert.False(h.Codec.IsOutputSuspendedByClient);
        h.Feed(Sb44(8));
        Assert.True(h.Codec.IsOutputSuspendedByClient);
        h.Feed(Cmd(Wont, 44));
        Assert.False(h.Codec.IsOutputSuspendedByClient);
    }

    [Fact]
    public void Malformed_commands_are_reported_as_ignored_without_reply()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        h.TakeEvents();
        var replies = h.Feed(Concat(Sb44(1, 0, 4, 176), Sb44(2), Sb44(3, 1, 1), Sb44(), Sb44(101, 0, 0, 4, 176), Sb44(77)));
        Assert.Empty(replies);
        Assert.Equal(
            new TelnetEvent[]
            {
                new ComPortCommandIgnored(1, 3), new ComPortCommandIgnored(2, 0), new ComPortCommandIgnored(3, 2),
                new ComPortCommandIgnored(101, 4), new ComPortCommandIgnored(77, 0),
            },
            h.TakeEvents());
    }

    [Fact]
    public void Client_wont_44_disables_the_option()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        h.Feed(Cmd(Will, 44));
        Assert.Equal(new byte[] { Iac, Dont, 44 }, h.Feed(Cmd(Wont, 44)));
        Assert.Equal([ComPortEnabled.Instance, ComPortDisabled.Instance], h.TakeEvents());
        Assert.False(h.Codec.IsComPortEnabled);
        Assert.Empty(h.Feed(Sb44(2, 8)));
        Assert.Empty(h.Events);
    }
}
