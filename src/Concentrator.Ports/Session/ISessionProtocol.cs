using System.Buffers;

namespace Concentrator.Ports.Session;

/// <summary>
/// What a session speaks to its client: raw bytes, telnet, or telnet with RFC 2217. Turns client bytes into
/// device bytes plus replies/events, and device bytes into client bytes.
/// </summary>
internal interface ISessionProtocol
{
    /// <summary>Bytes to send when the connection opens (option offers).</summary>
    void Start(IBufferWriter<byte> toClient);

    /// <summary>
    /// Decodes client bytes into <paramref name="items"/> in stream order: <c>byte[]</c> runs of data for the device
    /// and protocol events (telnet/RFC 2217 records). Negotiation replies go to <paramref name="toClient"/>.
    /// </summary>
    void Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> toClient, List<object> items);

    /// <summary>Encodes device output for this client. May return the chunk itself when nothing changes (no copy).</summary>
    ReadOnlyMemory<byte> Encode(byte[] deviceData);

    /// <summary>Encodes text the server itself says (banner, notices) in this protocol's conventions.</summary>
    ReadOnlyMemory<byte> EncodeNotice(string text);

    /// <summary>Whether in-band notices (port offline, bytes dropped) are shown; raw and RFC 2217 stay byte-clean.</summary>
    bool ShowsNotices { get; }
}
