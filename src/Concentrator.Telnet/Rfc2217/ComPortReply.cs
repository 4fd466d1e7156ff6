using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Concentrator.Telnet.Rfc2217;

/// <summary>
/// Encodes the server's COM-PORT-OPTION messages (client code + 100), framed as IAC SB 44 code value IAC SE.
/// Values have exactly the length RFC 2217 gives them; a 0xFF byte inside a value is sent as IAC IAC.
/// </summary>
public static class ComPortReply
{
    /// <summary>SIGNATURE reply (100) with the server's text.</summary>
    public static void Signature(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetByteCount(text);
        var rented = ArrayPool<byte>.Shared.Rent(1 + length);
        try
        {
            rented[0] = ComPortCommandCode.Signature + ComPortCommandCode.ServerOffset;
            Encoding.UTF8.GetBytes(text, rented.AsSpan(1));
            TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, rented.AsSpan(0, 1 + length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>SET-BAUDRATE reply (101): the rate in effect, 4 bytes big-endian.</summary>
    public static void BaudRate(IBufferWriter<byte> output, uint baudRate)
    {
        Span<byte> value = stackalloc byte[5];
        value[0] = ComPortCommandCode.SetBaudRate + ComPortCommandCode.ServerOffset;
        BinaryPrimitives.WriteUInt32BigEndian(value[1..], baudRate);
        TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, value);
    }

    /// <summary>SET-DATASIZE reply (102): the data bits in effect.</summary>
    public static void DataSize(IBufferWriter<byte> output, byte dataBits) =>
        WriteByte(output, ComPortCommandCode.SetDataSize, dataBits);

    /// <summary>SET-PARITY reply (103): the parity in effect.</summary>
    public static void Parity(IBufferWriter<byte> output, ComPortParity parity) =>
        WriteByte(output, ComPortCommandCode.SetParity, (byte)parity);

    /// <summary>SET-STOPSIZE reply (104): the stop bits in effect.</summary>
    public static void StopSize(IBufferWriter<byte> output, ComPortStopSize stopSize) =>
        WriteByte(output, ComPortCommandCode.SetStopSize, (byte)stopSize);

    /// <summary>SET-CONTROL reply (105): the control value in effect (e.g. DtrOn for a DTR query or set).</summary>
    public static void Control(IBufferWriter<byte> output, ComPortControl value) =>
        WriteByte(output, ComPortCommandCode.SetControl, (byte)value);

    /// <summary>NOTIFY-LINESTATE (106).</summary>
    public static void NotifyLineState(IBufferWriter<byte> output, LineState state) =>
        WriteByte(output, ComPortCommandCode.NotifyLineState, (byte)state);

    /// <summary>NOTIFY-MODEMSTATE (107); compute the value with <see cref="ModemStateNotifier"/>.</summary>
    public static void NotifyModemState(IBufferWriter<byte> output, ModemState state) =>
        WriteByte(output, ComPortCommandCode.NotifyModemState, (byte)state);

    /// <summary>FLOWCONTROL-SUSPEND from the server (108): ask the client to stop sending data.</summary>
    public static void FlowControlSuspend(IBufferWriter<byte> output) =>
        WriteCode(output, ComPortCommandCode.FlowControlSuspend);

    /// <summary>FLOWCONTROL-RESUME from the server (109): the client may send data again.</summary>
    public static void FlowControlResume(IBufferWriter<byte> output) =>
        WriteCode(output, ComPortCommandCode.FlowControlResume);

    /// <summary>SET-LINESTATE-MASK reply (110).</summary>
    public static void LineStateMask(IBufferWriter<byte> output, LineState mask) =>
        WriteByte(output, ComPortCommandCode.SetLineStateMask, (byte)mask);

    /// <summary>SET-MODEMSTATE-MASK reply (111).</summary>
    public static void ModemStateMask(IBufferWriter<byte> output, ModemState mask) =>
        WriteByte(output, ComPortCommandCode.SetModemStateMask, (byte)mask);

    /// <summary>PURGE-DATA reply (112).</summary>
    public static void PurgeData(IBufferWriter<byte> output, ComPortPurge target) =>
        WriteByte(output, ComPortCommandCode.PurgeData, (byte)target);

    private static void WriteByte(IBufferWriter<byte> output, byte clientCode, byte value)
    {
        ReadOnlySpan<byte> payload = [(byte)(clientCode + ComPortCommandCode.ServerOffset), value];
        TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, payload);
    }

    private static void WriteCode(IBufferWriter<byte> output, byte clientCode)
    {
        ReadOnlySpan<byte> payload = [(byte)(clientCode + ComPortCommandCode.ServerOffset)];
        TelnetFraming.WriteSubnegotiation(output, TelnetOption.ComPort, payload);
    }
}
