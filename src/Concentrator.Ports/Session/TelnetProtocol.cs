using System.Buffers;
using System.Text;
using Concentrator.Telnet;

namespace Concentrator.Ports.Session;

/// <summary>
/// Telnet (RFC 854/1143) and telnet with COM-PORT-OPTION (RFC 2217) through the pure codec. Data and events keep
/// their stream order, so a baud change a client sends between two blocks of data lands between them.
/// </summary>
internal sealed class TelnetProtocol(TelnetMode mode, string signature) : ISessionProtocol, ITelnetReceiver
{
    private readonly TelnetServerCodec _codec = new(mode, signature);
    private readonly ArrayBufferWriter<byte> _data = new(4096);
    private List<object>? _items;

    public TelnetServerCodec Codec => _codec;

    /// <summary>Telnet sessions are for people: they get notices. RFC 2217 sessions are for programs: byte-clean.</summary>
    public bool ShowsNotices => mode == TelnetMode.Telnet;

    public void Start(IBufferWriter<byte> toClient) => _codec.Start(toClient);

    public void Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> toClient, List<object> items)
    {
        _items = items;
        _data.ResetWrittenCount();
        _codec.Receive(input, toClient, this);
        FlushData();
        _items = null;
    }

    void ITelnetReceiver.OnData(ReadOnlySpan<byte> data) => _data.Write(data);

    void ITelnetReceiver.OnEvent(TelnetEvent telnetEvent)
    {
        FlushData();
        _items!.Add(telnetEvent);
    }

    private void FlushData()
    {
        if (_data.WrittenCount > 0)
        {
            _items!.Add(_data.WrittenSpan.ToArray());
            _data.ResetWrittenCount();
        }
    }

    public ReadOnlyMemory<byte> Encode(byte[] deviceData)
    {
        // Fast path: nothing to escape means the shared chunk goes out as is, with no per-session copy.
        var needsEscape = deviceData.AsSpan().IndexOf((byte)0xFF) >= 0 ||
                          (!_codec.IsBinaryOut && deviceData.AsSpan().IndexOf((byte)'\r') >= 0);
        if (!needsEscape)
        {
            return deviceData;
        }

        var output = new ArrayBufferWriter<byte>(deviceData.Length + 16);
        _codec.EncodeData(deviceData, output);
        return output.WrittenMemory;
    }

    public ReadOnlyMemory<byte> EncodeNotice(string text)
    {
        var output = new ArrayBufferWriter<byte>(text.Length + 8);
        _codec.EncodeData(Encoding.UTF8.GetBytes(text), output);
        return output.WrittenMemory;
    }
}
