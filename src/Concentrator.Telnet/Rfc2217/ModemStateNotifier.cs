namespace Concentrator.Telnet.Rfc2217;

/// <summary>
/// The NOTIFY-MODEMSTATE logic of one client connection: remembers the last reported state, computes the
/// delta bits and applies the client's SET-MODEMSTATE-MASK. Not thread-safe (one per session).
/// </summary>
/// <remarks>
/// Usage: on <see cref="ComPortEnabled"/> call <see cref="Reset"/> then <see cref="TryNotify"/> with force;
/// on every modem line change call <see cref="TryNotify"/> without force; on <see cref="ModemStatePoll"/> call it
/// with force; on <see cref="SetModemStateMask"/> set <see cref="Mask"/>. Whenever it returns true send
/// <see cref="ComPortReply.NotifyModemState"/> with the value it gave.
/// </remarks>
public sealed class ModemStateNotifier
{
    private const ModemState StateBits = (ModemState)0xF0;
    private ModemState? _last;

    /// <summary>The client's SET-MODEMSTATE-MASK; 255 until it sets one.</summary>
    public ModemState Mask { get; set; } = (ModemState)ComPortCommandCode.DefaultModemStateMask;

    /// <summary>The state bits last passed to <see cref="TryNotify"/>, null before the first call.</summary>
    public ModemState? LastState => _last;

    /// <summary>Forgets the last state (a new COM-PORT-OPTION session) and restores the default mask.</summary>
    public void Reset()
    {
        _last = null;
        Mask = (ModemState)ComPortCommandCode.DefaultModemStateMask;
    }

    /// <summary>
    /// Records the current modem lines (only the state bits 0x10-0x80 of <paramref name="current"/> are used) and
    /// computes the NOTIFY-MODEMSTATE value: state bits plus delta bits against the previous state, masked by
    /// <see cref="Mask"/>. Returns true when it should be sent: always when <paramref name="force"/> (option just
    /// enabled, or a poll), otherwise when the lines changed and the masked value is not zero.
    /// </summary>
    public bool TryNotify(ModemState current, bool force, out ModemState notification)
    {
        var now = current & StateBits;
        var before = _last ?? now;
        _last = now;

        var changed = now ^ before;
        var value = now;
        if ((changed & ModemState.ClearToSend) != 0)
        {
            value |= ModemState.DeltaCts;
        }

        if ((changed & ModemState.DataSetReady) != 0)
        {
            value |= ModemState.DeltaDsr;
        }

        if ((before & ModemState.RingIndicator) != 0 && (now & ModemState.RingIndicator) == 0)
        {
            value |= ModemState.TrailingEdgeRingIndicator;
        }

        if ((changed & ModemState.CarrierDetect) != 0)
        {
            value |= ModemState.DeltaCarrierDetect;
        }

        notification = value & Mask;
        return force || (changed != 0 && notification != 0);
    }
}
