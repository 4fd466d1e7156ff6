using System.Net;
using System.Net.Sockets;

namespace Concentrator.Bench;

/// <summary>
/// A bench client connection: raw bytes, or a minimal telnet client for RFC 2217 listeners. The telnet mode
/// doubles 0xFF on send, strips every IAC sequence on receive (IAC IAC -> 0xFF), and answers option offers the
/// way an RFC 2217 client would: BINARY both ways (so neither side translates CR), SGA and ECHO accepted,
/// COM-PORT-OPTION agreed, everything else refused; each option is answered at most once.
/// </summary>
internal sealed class BenchConn : IDisposable
{
    private const byte Se = 240, Sb = 250, Will = 251, Wont = 252, Do = 253, Dont = 254, Iac = 255;
    private const byte OptBinary = 0, OptEcho = 1, OptSga = 3, OptComPort = 44;
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    private readonly bool _telnet;
    private readonly HashSet<(byte Verb, byte Option)> _answered = [];
    private readonly List<byte> _replies = [];
    private byte[] _scratch = [];
    private byte[] _sendScratch = [];
    private State _state;
    private byte _verb;

    private BenchConn(Socket socket, bool telnet)
    {
        Socket = socket;
        _telnet = telnet;
    }

    private enum State
    {
        Data,
        Iac,
        Option,
        Sub,
        SubIac,
    }

    public Socket Socket { get; }

    public bool Telnet => _telnet;

    public static BenchConn Connect(int port, bool telnet = false, int? receiveBuffer = null)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer is { } rb)
        {
            s.ReceiveBufferSize = rb;
        }

        s.Connect(IPAddress.Loopback, port);
        s.ReceiveTimeout = (int)IoTimeout.TotalMilliseconds;
        s.SendTimeout = (int)IoTimeout.TotalMilliseconds;
        return new BenchConn(s, telnet);
    }

    public void Send(ReadOnlySpan<byte> data)
    {
        if (!_telnet || data.IndexOf(Iac) < 0)
        {
            SendAll(data);
            return;
        }

        if (_sendScratch.Length < data.Length * 2)
        {
            _sendScratch = new byte[data.Length * 2];
        }

        var n = 0;
        foreach (var b in data)
        {
            _sendScratch[n++] = b;
            if (b == Iac)
            {
                _sendScratch[n++] = Iac;
            }
        }

        SendAll(_sendScratch.AsSpan(0, n));
    }

    /// <summary>One socket read (blocking): the wire byte count (0 = closed) and the data bytes left after decoding.</summary>
    public (int Wire, int Data) ReceiveOnce(Span<byte> buffer)
    {
        if (!_telnet)
        {
            var r = Socket.Receive(buffer, SocketFlags.None);
            return (r, r);
        }

        if (_scratch.Length < buffer.Length)
        {
            _scratch = new byte[buffer.Length];
        }

        var wire = Socket.Receive(_scratch.AsSpan(0, buffer.Length), SocketFlags.None);
        var data = Decode(_scratch.AsSpan(0, wire), buffer);
        FlushReplies();
        return (wire, data);
    }

    /// <summary>Blocks until at least one data byte arrived; 0 when the server closed the connection.</summary>
    public int Receive(Span<byte> buffer)
    {
        while (true)
        {
            var (wire, data) = ReceiveOnce(buffer);
            if (wire == 0 || data > 0)
            {
                return data;
            }
        }
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (!_telnet)
        {
            return await Socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
        }

        if (_scratch.Length < buffer.Length)
        {
            _scratch = new byte[buffer.Length];
        }

        while (true)
        {
            var wire = await Socket.ReceiveAsync(_scratch.AsMemory(0, buffer.Length), SocketFlags.None, ct).ConfigureAwait(false);
            if (wire == 0)
            {
                return 0;
            }

            var data = Decode(_scratch.AsSpan(0, wire), buffer.Span);
            FlushReplies();
            if (data > 0)
            {
                return data;
            }
        }
    }

    public void Dispose() => Socket.Dispose();

    private void SendAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[Socket.Send(data, SocketFlags.None)..];
        }
    }

    private void FlushReplies()
    {
        if (_replies.Count > 0)
        {
            var bytes = _replies.ToArray();
            _replies.Clear();
            SendAll(bytes);
        }
    }

    /// <summary>Telnet receive state machine; output is never longer than input.</summary>
    private int Decode(ReadOnlySpan<byte> wire, Span<byte> output)
    {
        var n = 0;
        foreach (var b in wire)
        {
            switch (_state)
            {
                case State.Data:
                    if (b == Iac)
                    {
                        _state = State.Iac;
                    }
                    else
                    {
                        output[n++] = b;
                    }

                    break;
                case State.Iac:
                    if (b == Iac)
                    {
                        output[n++] = Iac;
                        _state = State.Data;
                    }
                    else if (b is Will or Wont or Do or Dont)
                    {
                        _verb = b;
                        _state = State.Option;
                    }
                    else
                    {
                        _state = b == Sb ? State.Sub : State.Data;
                    }

                    break;
                case State.Option:
                    Answer(_verb, b);
                    _state = State.Data;
                    break;
                case State.Sub:
                    if (b == Iac)
                    {
                        _state = State.SubIac;
                    }

                    break;
                case State.SubIac:
                    _state = b == Se ? State.Data : State.Sub;
                    break;
            }
        }

        return n;
    }

    private void Answer(byte verb, byte option)
    {
        if (!_answered.Add((verb, option)))
        {
            return;
        }

        byte reply = verb switch
        {
            Will => option is OptBinary or OptEcho or OptSga or OptComPort ? Do : Dont,
            Do => option is OptBinary or OptSga or OptComPort ? Will : Wont,
            _ => 0,
        };
        if (reply != 0)
        {
            _replies.AddRange([Iac, reply, option]);
        }
    }
}
