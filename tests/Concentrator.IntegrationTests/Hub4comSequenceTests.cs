using Concentrator.Testing;

namespace Concentrator.IntegrationTests;

/// <summary>
/// hub4com's com2tcp-rfc2217 opening sequence, byte for byte as it printed it against ser2net, played over a raw
/// socket: its parser rejects replies of the wrong length, so the exact bytes matter.
/// </summary>
public sealed class Hub4comSequenceTests : IntegrationTest
{
    private const byte Iac = 255, Sb = 250, Se = 240, Will = 251, Wont = 252, Do = 253, Dont = 254;
    private const byte Binary = 0, Echo = 1, Sga = 3, ComPort = 44;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static byte[] Sub(params byte[] payload) => [Iac, Sb, ComPort, .. payload, Iac, Se];

    /// <summary>WILL 44, baud 1200, 7 data bits, no parity, 1 stop bit, DTR off, RTS off, BREAK off.</summary>
    private static byte[] OpeningSequence() =>
    [
        Iac, Will, ComPort,
        .. Sub(1, 0, 0, 4, 176),
        .. Sub(2, 7),
        .. Sub(3, 1),
        .. Sub(4, 1),
        .. Sub(5, 9),
        .. Sub(5, 12),
        .. Sub(5, 6),
    ];

    [Fact]
    public void Hub4com_on_sim_echo_gets_DO_44_once_and_exact_length_replies_in_order()
    {
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.h { device = "sim:echo", baud = 115200, listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("h");
        var client = Track(TcpClientSession.Connect(tcp));
        var stream = new ServerStream(client);

        client.Send(OpeningSequence());
        // hub4com answers the server's offers as it sees them.
        stream.ReadUntil(s => s.Negotiations.Contains((Will, Sga)) && s.Negotiations.Contains((Will, Echo)) &&
                              s.Negotiations.Contains((Do, Binary)), Timeout);
        client.Send([Iac, Do, Sga, Iac, Do, Echo, Iac, Will, Binary]);

        stream.ReadUntil(s => s.Subnegotiations.Count(r => r[1] == 105) >= 3 && s.Subnegotiations.Any(r => r[1] == 107), Timeout);
        // The sentinel: SET-LINESTATE-MASK, answered (110) in order after every command and negotiation before it;
        // anything extra (a loop, a repeat) those caused shows up before its answer.
        client.Send(Sub(10, 0));
        stream.ReadUntil(s => s.Subnegotiations.Any(r => r[1] == 110), Timeout);

        Assert.Equal(1, stream.Negotiations.Count(n => n == (Do, ComPort)));
        Assert.DoesNotContain(stream.Negotiations, n => n.Option == ComPort && n.Command != Do);
        // Q-method: each offer made once, never re-acknowledged after the client agreed.
        foreach (var group in stream.Negotiations.GroupBy(n => n))
        {
            Assert.True(group.Count() == 1, $"server sent {group.Key} {group.Count()} times: {stream.Describe()}");
        }

        var replies = stream.Subnegotiations.Where(r => r[1] is >= 101 and <= 106).Select(Hex).ToList();
        Assert.Equal(
            new[] { "2C 65 00 00 04 B0", "2C 66 07", "2C 67 01", "2C 68 01", "2C 69 09", "2C 69 0C", "2C 69 06" },
            replies);
        var notifications = stream.Subnegotiations.Where(r => r[1] == 107).ToList();
        Assert.NotEmpty(notifications);
        Assert.All(notifications, n => Assert.Equal(3, n.Length)); // 44 107 state: one byte of value
        Assert.All(stream.Subnegotiations, r => Assert.Equal(ComPort, r[0]));

        // The session is usable after the sequence: a loopback through sim:echo, IAC doubled both ways.
        byte[] data = [(byte)'o', (byte)'k', Iac, Iac, 0x00];
        client.Send(data);
        stream.ReadUntil(s => s.Data.Count >= 4, Timeout);
        Assert.Equal(new byte[] { (byte)'o', (byte)'k', 0xFF, 0x00 }, stream.Data.ToArray());
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public void Hub4com_on_a_pty_sets_1200_baud_and_gets_the_values_in_effect()
    {
        var device = Track(VirtualSerialDevice.CreateTemp("hub4com"));
        var tcp = FreeTcpPort.Next();
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports.h { device = "{{device.LinkPath}}", baud = 115200, listeners = [ { port = {{tcp}}, protocol = rfc2217 } ] }
            """));
        daemon.WaitOnline("h");
        var client = Track(TcpClientSession.Connect(tcp));
        var stream = new ServerStream(client);

        client.Send(OpeningSequence());
        client.Send([Iac, Do, Sga, Iac, Do, Echo, Iac, Will, Binary]);
        stream.ReadUntil(s => s.Subnegotiations.Count(r => r[1] == 105) >= 3, Timeout);

        var termios = device.GetTermios();
        Assert.Equal(1200, termios.BaudRate);
        var reply = (int r) => stream.Subnegotiations.Single(s => s[1] == r);
        Assert.Equal("2C 65 00 00 04 B0", Hex(reply(101)));
        // The data size answered is the one in effect: 7 unless this kernel's pty forces 8.
        Assert.Equal(3, reply(102).Length);
        Assert.Equal(termios.DataBits, reply(102)[2]);
        Assert.Equal(VirtualSerialDevice.PtyForcesEightBitsNoParity ? 8 : 7, reply(102)[2]);
        Assert.Equal("2C 67 01", Hex(reply(103)));
        Assert.Equal("2C 68 01", Hex(reply(104)));
        Assert.Equal(Concentrator.Devices.StopBits.One, termios.StopBits);

        device.Write("booted\r\n"u8);
        // The client never said DO BINARY, so our direction is NVT: CR goes out as CR NUL (RFC 854).
        stream.ReadUntil(s => s.Data.Count >= 9, Timeout);
        Assert.Equal("booted\r\0\n"u8.ToArray(), stream.Data.ToArray());
        Assert.False(daemon.HasExited);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b);

    /// <summary>Parses what the server sends: negotiations, subnegotiation payloads (undoubled) and data.</summary>
    private sealed class ServerStream(TcpClientSession client)
    {
        private readonly List<byte> _sub = [];
        private int _state; // 0 data, 1 IAC, 2 negotiation option, 3 in SB, 4 IAC in SB
        private byte _command;

        public List<(byte Command, byte Option)> Negotiations { get; } = [];

        public List<byte[]> Subnegotiations { get; } = [];

        public List<byte> Data { get; } = [];

        public List<byte> Raw { get; } = [];

        public string Describe() => Convert.ToHexString(Raw.ToArray());

        /// <summary>Reads byte by byte until <paramref name="done"/> holds; nothing beyond that point is read.</summary>
        public void ReadUntil(Func<ServerStream, bool> done, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!done(this))
            {
                var left = deadline - DateTime.UtcNow;
                try
                {
                    Feed(client.ReadExactly(1, left > TimeSpan.Zero ? left : TimeSpan.Zero)[0]);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"the server did not send what was expected; got {Describe()}");
                }
            }
        }

        private void Feed(byte b)
        {
            Raw.Add(b);
            switch (_state)
            {
                case 0:
                    if (b == Iac)
                    {
                        _state = 1;
                    }
                    else
                    {
                        Data.Add(b);
                    }

                    break;
                case 1:
                    if (b == Iac)
                    {
                        Data.Add(b);
                        _state = 0;
                    }
                    else if (b is Will or Wont or Do or Dont)
                    {
                        _command = b;
                        _state = 2;
                    }
                    else if (b == Sb)
                    {
                        _sub.Clear();
                        _state = 3;
                    }
                    else
                    {
                        _state = 0;
                    }

                    break;
                case 2:
                    Negotiations.Add((_command, b));
                    _state = 0;
                    break;
                case 3:
                    if (b == Iac)
                    {
                        _state = 4;
                    }
                    else
                    {
                        _sub.Add(b);
                    }

                    break;
                case 4:
                    if (b == Iac)
                    {
                        _sub.Add(b);
                        _state = 3;
                    }
                    else
                    {
                        Subnegotiations.Add([.. _sub]);
                        _state = 0;
                    }

                    break;
            }
        }
    }
}
