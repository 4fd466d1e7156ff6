using System.Buffers;

namespace Concentrator.Telnet;

/// <summary>
/// Receives what <see cref="TelnetServerCodec.Receive(ReadOnlySpan{byte}, IBufferWriter{byte}, ITelnetReceiver)"/>
/// parses, strictly in stream order (data, then an event, then more data ...).
/// </summary>
public interface ITelnetReceiver
{
    /// <summary>Bytes for the serial device (telnet framing removed). The span is only valid during the call.</summary>
    void OnData(ReadOnlySpan<byte> data);

    /// <summary>A protocol event, in order relative to the data around it.</summary>
    void OnEvent(TelnetEvent telnetEvent);
}
