using static Concentrator.Telnet.Tests.Wire;

namespace Concentrator.Telnet.Tests;

public sealed class NegotiationTests
{
    [Fact]
    public void Repeated_do_sga_after_agreement_produces_no_reply()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Empty(h.Feed(Cmd(Do, 3)));
        Assert.True(h.Codec.IsEnabledLocally(TelnetOption.SuppressGoAhead));
        Assert.Empty(h.Feed(Cmd(Do, 3)));
        Assert.Empty(h.Feed(Concat(Cmd(Do, 3), Cmd(Do, 3))));
    }

    [Fact]
    public void Client_dont_for_an_option_we_will_turns_it_off_with_one_wont()
    {
        var h = new Harness(TelnetMode.Telnet);
        h.Feed(Cmd(Do, 3));
        Assert.Equal(new byte[] { Iac, Wont, 3 }, h.Feed(Cmd(Dont, 3)));
        Assert.False(h.Codec.IsEnabledLocally(TelnetOption.SuppressGoAhead));
        Assert.Empty(h.Feed(Cmd(Dont, 3)));
    }

    [Fact]
    public void Client_refusing_our_offer_is_not_answered()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Empty(h.Feed(Cmd(Dont, 1)));  // DONT ECHO answers our WILL ECHO
        Assert.Empty(h.Feed(Cmd(Wont, 0)));  // WONT BINARY answers our DO BINARY
        Assert.False(h.Codec.IsEnabledLocally(TelnetOption.Echo));
        Assert.False(h.Codec.IsBinaryIn);
        Assert.Empty(h.Feed(Concat(Cmd(Dont, 1), Cmd(Wont, 0))));
    }

    [Fact]
    public void Client_can_enable_an_option_again_after_refusing_it()
    {
        var h = new Harness(TelnetMode.Telnet);
        h.Feed(Cmd(Wont, 0));
        Assert.Equal(new byte[] { Iac, Do, 0 }, h.Feed(Cmd(Will, 0)));
        Assert.True(h.Codec.IsBinaryIn);
    }

    [Fact]
    public void Unknown_options_are_refused_once_per_request()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        Assert.Equal(new byte[] { Iac, Dont, 99 }, h.Feed(Cmd(Will, 99)));
        Assert.Equal(new byte[] { Iac, Wont, 99 }, h.Feed(Cmd(Do, 99)));
        Assert.Empty(h.Feed(Cmd(Wont, 99)));
        Assert.Empty(h.Feed(Cmd(Dont, 99)));
        Assert.Equal(new byte[] { Iac, Wont, 44 }, h.Feed(Cmd(Do, 44))); // the server is not a COM-PORT client
        Assert.Equal(new byte[] { Iac, Dont, 1 }, h.Feed(Cmd(Will, 1)));  // the client must not echo
    }

    [Fact]
    public void Start_twice_sends_nothing_new()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        var first = h.StartBytes.WrittenCount;
        h.Codec.Start(h.StartBytes);
        Assert.Equal(first, h.StartBytes.WrittenCount);
    }

    [Fact]
    public void Naws_is_accepted_and_recorded()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Equal(new byte[] { Iac, Do, 31 }, h.Feed(Cmd(Will, 31)));
        h.Feed(Sub(31, 0, 80, 0, 24));
        h.Feed(Sub(31, 0, 0xFF, 1, 0)); // 255 columns: the 0xFF is doubled on the wire
        Assert.Equal([new WindowSize(80, 24), new WindowSize(255, 256)], h.Events);
        Assert.Equal(new WindowSize(255, 256), h.Codec.LastWindowSize);
    }

    [Fact]
    public void Terminal_type_is_requested_and_reported()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Equal(
            new byte[] { Iac, Do, 24, Iac, Sb, 24, 1, Iac, Se },
            h.Feed(Cmd(Will, 24)));
        h.Feed(Sub(24, [0, .. "XTERM"u8.ToArray()]));
        Assert.Equal([new TerminalType("XTERM")], h.Events);
        Assert.Equal("XTERM", h.Codec.ClientTerminalType);
    }

    [Fact]
    public void A_lease_token_is_presented_without_negotiation_and_anything_unlike_a_token_is_ignored()
    {
        var h = new Harness(TelnetMode.Rfc2217);
        Assert.Empty(h.Feed(Sub(108, [.. "cct_abc-DEF_123"u8.ToArray()])));
        h.Feed(Sub(108)); // empty
        h.Feed(Sub(108, [.. "two words"u8.ToArray()])); // a space is no token byte
        h.Feed(Sub(108, [0x63, 0x0D, 0x0A])); // control bytes
        h.Feed(Sub(108, [.. Enumerable.Repeat((byte)'x', LeaseTokenPresented.MaxLength + 1)]));
        Assert.Equal([new LeaseTokenPresented("cct_abc-DEF_123")], h.Events);
        Assert.DoesNotContain("cct_", h.Events[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Subnegotiation_for_an_option_not_enabled_is_ignored()
    {
        var h = new Harness(TelnetMode.Telnet);
        Assert.Empty(h.Feed(Sub(31, 0, 80, 0, 24)));
        Assert.Empty(h.Events);
    }

    [Fact]
    public void Two_codecs_negotiating_with_each_other_settle_without_looping()
    {
        // Feed each side's output to the other: a peer that mirrors our offers must converge quickly.
        var a = new Harness(TelnetMode.Rfc2217);
        var b = new Harness(TelnetMode.Rfc2217);
        var toB = a.StartBytes.WrittenSpan.ToArray();
        var toA = b.StartBytes.WrittenSpan.ToArray();
        var rounds = 0;
        while ((toA.Length > 0 || toB.Length > 0) && rounds < 10)
        {
            var nextToA = b.Feed(toB);
            var nextToB = a.Feed(toA);
            toA = nextToA;
            toB = nextToB;
            rounds++;
        }

        Assert.True(rounds < 10, "negotiation did not settle");
        Assert.True(a.Codec.IsBinaryIn && a.Codec.IsBinaryOut);
    }
}
