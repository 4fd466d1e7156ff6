using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Telnet.Tests;

public sealed class ModemStateNotifierTests
{
    private const ModemState Cts = ModemState.ClearToSend, Dsr = ModemState.DataSetReady, Ri = ModemState.RingIndicator, Cd = ModemState.CarrierDetect;

    [Fact]
    public void First_forced_notification_has_state_bits_and_no_deltas()
    {
        var n = new ModemStateNotifier();
        Assert.True(n.TryNotify(Cts | Dsr, force: true, out var value));
        Assert.Equal(Cts | Dsr, value);
    }

    [Fact]
    public void Changes_set_delta_bits_and_ri_reports_the_trailing_edge_only()
    {
        var n = new ModemStateNotifier();
        n.TryNotify(Cts | Dsr, force: true, out _);

        Assert.True(n.TryNotify(Cts | Dsr | Cd, force: false, out var value));
        Assert.Equal(Cts | Dsr | Cd | ModemState.DeltaCarrierDetect, value);

        Assert.True(n.TryNotify(Cts | Dsr | Cd | Ri, force: false, out value));
        Assert.Equal(Cts | Dsr | Cd | Ri, value); // leading edge of RI: no delta bit

        Assert.True(n.TryNotify(Dsr | Cd, force: false, out value));
        Assert.Equal(Dsr | Cd | ModemState.DeltaCts | ModemState.TrailingEdgeRingIndicator, value);

        Assert.False(n.TryNotify(Dsr | Cd, force: false, out _)); // no change, nothing to send
        Assert.True(n.TryNotify(Dsr | Cd, force: true, out value)); // a poll always answers
        Assert.Equal(Dsr | Cd, value);
    }

    [Fact]
    public void Mask_filters_what_is_sent()
    {
        var n = new ModemStateNotifier { Mask = ModemState.DeltaCarrierDetect };
        n.TryNotify(ModemState.None, force: true, out _);
        Assert.False(n.TryNotify(Cts, force: false, out _));
        Assert.True(n.TryNotify(Cts | Cd, force: false, out var value));
        Assert.Equal(ModemState.DeltaCarrierDetect, value);
    }

    [Fact]
    public void Delta_bits_in_the_input_are_ignored_and_reset_restores_defaults()
    {
        var n = new ModemStateNotifier { Mask = ModemState.None };
        n.TryNotify(Cts | ModemState.DeltaDsr, force: true, out var value);
        Assert.Equal(ModemState.None, value);
        n.Reset();
        Assert.Equal((ModemState)0xFF, n.Mask);
        Assert.Null(n.LastState);
        n.TryNotify(Cts | ModemState.DeltaDsr, force: true, out value);
        Assert.Equal(Cts, value);
    }
}
