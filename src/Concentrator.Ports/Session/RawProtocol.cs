using System.Buffers;
using System.Text;

namespace Concentrator.Ports.Session;

/// <summary>Raw TCP: bytes pass unchanged both ways, 0x00 and 0xFF included.</summary>
internal sealed class RawProtocol : ISessionProtocol
{
    public bool ShowsNotices => false;

    public void Start(IBufferWriter<byte> toClient)
    {
    }

    public void Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> toClient, List<object> items) =>
        items.Add(input.ToArray());

    public ReadOnlyMemory<byte> Encode(byte[] deviceData) => deviceData;

    public ReadOnlyMemory<byte> EncodeNotice(string text) => Encoding.UTF8.GetBytes(text);
}
