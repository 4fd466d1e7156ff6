using System.Buffers.Binary;
using System.Text;

namespace Concentrator.Telnet.Rfc2217;

/// <summary>Turns the payload of one IAC SB 44 ... IAC SE (IAC IAC already undoubled) into a typed command.</summary>
internal static class ComPortParser
{
    /// <summary>Parses a client command; never throws. An empty payload yields null (nothing to report).</summary>
    public static ComPortCommand? Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        var code = payload[0];
        var value = payload[1..];
        return code switch
        {
            ComPortCommandCode.Signature =>
                new Signature(value.IsEmpty ? null : Encoding.UTF8.GetString(value)),
            ComPortCommandCode.SetBaudRate when value.Length == 4 =>
                new SetBaudRate(BinaryPrimitives.ReadUInt32BigEndian(value)),
            ComPortCommandCode.SetDataSize when value.Length == 1 => new SetDataSize(value[0]),
            ComPortCommandCode.SetParity when value.Length == 1 => new SetParity((ComPortParity)value[0]),
            ComPortCommandCode.SetStopSize when value.Length == 1 => new SetStopSize((ComPortStopSize)value[0]),
            ComPortCommandCode.SetControl when value.Length == 1 => new SetControl((ComPortControl)value[0]),
            // A client's NOTIFY-MODEMSTATE is a poll whatever it carries.
            ComPortCommandCode.NotifyModemState => ModemStatePoll.Instance,
            ComPortCommandCode.FlowControlSuspend => FlowControlSuspend.Instance,
            ComPortCommandCode.FlowControlResume => FlowControlResume.Instance,
            ComPortCommandCode.SetLineStateMask when value.Length == 1 => new SetLineStateMask((LineState)value[0]),
            ComPortCommandCode.SetModemStateMask when value.Length == 1 => new SetModemStateMask((ModemState)value[0]),
            ComPortCommandCode.PurgeData when value.Length == 1 => new PurgeData((ComPortPurge)value[0]),
            _ => new ComPortCommandIgnored(code, value.Length),
        };
    }
}
