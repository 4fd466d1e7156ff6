using System.Buffers;

namespace Concentrator.Telnet;

/// <summary>RFC 1143 option state of one side of one option.</summary>
internal enum QState : byte
{
    No,
    Yes,
    WantNo,
    WantYes,
}

/// <summary>What a received negotiation did to the option states.</summary>
public enum OptionChange : byte
{
    None,
    /// <summary>The peer's side of the option (him) became enabled.</summary>
    HimEnabled,
    /// <summary>The peer's side of the option (him) left the enabled state.</summary>
    HimDisabled,
    /// <summary>Our side of the option (us) became enabled.</summary>
    UsEnabled,
    /// <summary>Our side of the option (us) left the enabled state.</summary>
    UsDisabled,
}

/// <summary>
/// Telnet option negotiation with the RFC 1143 "Q method": per option and per side a state
/// (NO, YES, WANTNO, WANTYES) plus the opposite-queue bit. It never loops and never acknowledges
/// a state the option is already in.
/// </summary>
/// <remarks>
/// Role-neutral, so the server and the client codec share it: "us" is our side of an option (the peer asks
/// with DO/DONT, we answer WILL/WONT); "him" is the peer's side (the peer offers WILL/WONT, we answer DO/DONT).
/// Which options may be enabled on each side is the policy given by <see cref="AllowUs"/> and <see cref="AllowHim"/>.
/// </remarks>
public sealed class OptionNegotiation
{
    private readonly QState[] _us = new QState[256];
    private readonly bool[] _usOpposite = new bool[256];
    private readonly QState[] _him = new QState[256];
    private readonly bool[] _himOpposite = new bool[256];
    private readonly bool[] _allowUs = new bool[256];
    private readonly bool[] _allowHim = new bool[256];

    /// <summary>Allows our side of an option to be enabled when the peer asks (DO).</summary>
    public void AllowUs(byte option) => _allowUs[option] = true;

    /// <summary>Allows the peer's side of an option to be enabled when the peer offers (WILL).</summary>
    public void AllowHim(byte option) => _allowHim[option] = true;

    public bool IsUsEnabled(byte option) => _us[option] == QState.Yes;

    public bool IsHimEnabled(byte option) => _him[option] == QState.Yes;

    /// <summary>Processes a received WILL, WONT, DO or DONT and writes any answer to <paramref name="reply"/>.</summary>
    public OptionChange Receive(byte verb, byte option, IBufferWriter<byte> reply)
    {
        switch (verb)
        {
            case TelnetCommand.Will:
                return ReceivePositive(_him, _himOpposite, _allowHim[option], option, TelnetCommand.Do, TelnetCommand.Dont, reply, OptionChange.HimEnabled);
            case TelnetCommand.Wont:
                return ReceiveNegative(_him, _himOpposite, option, TelnetCommand.Do, TelnetCommand.Dont, reply, OptionChange.HimDisabled);
            case TelnetCommand.Do:
                return ReceivePositive(_us, _usOpposite, _allowUs[option], option, TelnetCommand.Will, TelnetCommand.Wont, reply, OptionChange.UsEnabled);
            case TelnetCommand.Dont:
                return ReceiveNegative(_us, _usOpposite, option, TelnetCommand.Will, TelnetCommand.Wont, reply, OptionChange.UsDisabled);
            default:
                return OptionChange.None;
        }
    }

    /// <summary>We want to enable our side of an option (sends WILL when appropriate).</summary>
    public void RequestUs(byte option, IBufferWriter<byte> output) =>
        RequestEnable(_us, _usOpposite, option, TelnetCommand.Will, output);

    /// <summary>We want the peer to enable its side of an option (sends DO when appropriate).</summary>
    public void RequestHim(byte option, IBufferWriter<byte> output) =>
        RequestEnable(_him, _himOpposite, option, TelnetCommand.Do, output);

    /// <summary>
    /// Treats the peer's side of an option as enabled without a WILL, when we asked with DO and the
    /// peer started using the option anyway (pyserial may skip WILL COM-PORT-OPTION). True when the state changed.
    /// </summary>
    public bool ImplicitHimEnable(byte option)
    {
        if (_him[option] != QState.WantYes || _himOpposite[option])
        {
            return false;
        }

        _him[option] = QState.Yes;
        return true;
    }

    // RFC 1143 section 7, "upon receipt of WILL" (for him) / "upon receipt of DO" (for us).
    private static OptionChange ReceivePositive(
        QState[] state, bool[] opposite, bool allowed, byte option, byte ack, byte refuse, IBufferWriter<byte> reply, OptionChange enabled)
    {
        switch (state[option])
        {
            case QState.No:
                if (allowed)
                {
                    state[option] = QState.Yes;
                    TelnetFraming.WriteNegotiation(reply, ack, option);
                    return enabled;
                }

                TelnetFraming.WriteNegotiation(reply, refuse, option);
                return OptionChange.None;
            case QState.Yes:
                return OptionChange.None;
            case QState.WantNo:
                // Error: our refusal was answered by an offer. Settle without a reply.
                if (opposite[option])
                {
                    state[option] = QState.Yes;
                    opposite[option] = false;
                    return enabled;
                }

                state[option] = QState.No;
                return OptionChange.None;
            default: // WantYes
                if (opposite[option])
                {
                    state[option] = QState.WantNo;
                    opposite[option] = false;
                    TelnetFraming.WriteNegotiation(reply, refuse, option);
                    return OptionChange.None;
                }

                state[option] = QState.Yes;
                return enabled;
        }
    }

    // RFC 1143 section 7, "upon receipt of WONT" (for him) / "upon receipt of DONT" (for us).
    private static OptionChange ReceiveNegative(
        QState[] state, bool[] opposite, byte option, byte ask, byte refuse, IBufferWriter<byte> reply, OptionChange disabled)
    {
        switch (state[option])
        {
            case QState.No:
                return OptionChange.None;
            case QState.Yes:
                state[option] = QState.No;
                TelnetFraming.WriteNegotiation(reply, refuse, option);
                return disabled;
            case QState.WantNo:
                if (opposite[option])
                {
                    state[option] = QState.WantYes;
                    opposite[option] = false;
                    TelnetFraming.WriteNegotiation(reply, ask, option);
                    return OptionChange.None;
                }

                state[option] = QState.No;
                return OptionChange.None;
            default: // WantYes
                state[option] = QState.No;
                opposite[option] = false;
                return OptionChange.None;
        }
    }

    // RFC 1143 section 7, "if we decide to ask him to enable" / "to enable ourselves".
    private static void RequestEnable(QState[] state, bool[] opposite, byte option, byte ask, IBufferWriter<byte> output)
    {
        switch (state[option])
        {
            case QState.No:
                state[option] = QState.WantYes;
                TelnetFraming.WriteNegotiation(output, ask, option);
                break;
            case QState.WantNo:
                opposite[option] = true; // ask again once the pending refusal is acknowledged
                break;
            case QState.WantYes:
                opposite[option] = false;
                break;
            default: // Yes: already enabled
                break;
        }
    }
}
