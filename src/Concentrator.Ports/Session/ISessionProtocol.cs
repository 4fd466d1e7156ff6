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

    /// <summary>Decodes client bytes: data for the device, replies for the client, events for the session.</summary>
    void Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> toDevice, IBufferWriter<byte> toClient, List<object> events);

    /// <summary>Encodes device output for this client. May return the chunk itself when nothing changes (no copy).</summary>
    ReadOnlyMemory<byte> Encode(byte[] deviceData);

    /// <summary>Encodes text the server itself says (banner, notices) in this protocol's line conventions.</summary>
    ReadOnlyMemory<byte> EncodeNotice(string text);

    /// <summary>Whether this protocol carries human notices at all (raw and RFC 2217 stay byte-clean).</summary>
    bool ShowsNotices { get; }
}
