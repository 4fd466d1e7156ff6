using System.Buffers;
using System.Text;

namespace Concentrator.Ports.Session;

/// <summary>
/// Raw TCP: bytes pass unchanged both ways, 0x00 and 0xFF included. The browser terminal speaks the same bytes but
/// is read by a person, so it shows notices (<paramref name="showsNotices"/>).
/// </summary>
internal sealed class RawProtocol(bool showsNotices = false) : ISessionProtocol
{
    public bool ShowsNotices => showsNotices;

    public void Start(IBufferWriter<byte> toClient)
    {
    }

    public void Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> toClient, List<object> items) =>
        items.Add(input.ToArray());

    public ReadOnlyMemory<byte> Encode(byte[] deviceData) => deviceData;

    public ReadOnlyMemory<byte> EncodeNotice(string text) => Encoding.UTF8.GetBytes(text);
}
