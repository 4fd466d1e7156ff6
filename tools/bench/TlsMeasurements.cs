using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>
/// TLS beside plain TCP on the same port settings, measured the same way over a <see cref="Stream"/> (NetworkStream
/// or SslStream), so the ratio is the cost of TLS alone: single-byte latency both ways, then throughput both ways.
/// </summary>
internal static class TlsMeasurements
{
    public sealed record Result(double D2cP50Us, double D2cP99Us, double C2dP50Us, double C2dP99Us, double D2cMBps, double C2dMBps);

    /// <summary>Each figure the median over <paramref name="results"/>.</summary>
    public static Result Median(IReadOnlyList<Result> results)
    {
        double M(Func<Result, double> pick) => results.Select(pick).Order().ElementAt(results.Count / 2);
        return new Result(M(r => r.D2cP50Us), M(r => r.D2cP99Us), M(r => r.C2dP50Us), M(r => r.C2dP99Us), M(r => r.D2cMBps), M(r => r.C2dMBps));
    }

    public static Result Run(VirtualSerialDevice device, int port, bool tls, int samples, long bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(System.Net.IPAddress.Loopback, port);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls)
        {
            var secure = new SslStream(stream, false, (_, _, _, _) => true); // a self-signed bench certificate
            secure.AuthenticateAsClient("localhost");
            stream = secure;
        }

        using (stream)
        {
            stream.ReadTimeout = 10_000;
            Warm(device, stream);
            var d2c = Latency(device, stream, toClient: true, samples);
            var c2d = Latency(device, stream, toClient: false, samples);
            var tpD2c = ThroughputToClient(device, stream, bytes);
            var tpC2d = ThroughputToDevice(device, stream, bytes);
            return new Result(d2c.P50Us, d2c.P99Us, c2d.P50Us, c2d.P99Us, tpD2c, tpC2d);
        }
    }

    /// <summary>
    /// Client to device first: that byte waits in the socket until the session is admitted, so once the device has it,
    /// device output reaches the client too (output before admission is nobody's).
    /// </summary>
    private static void Warm(VirtualSerialDevice device, Stream stream)
    {
        var one = new byte[1];
        for (var i = 0; i < 20; i++)
        {
            stream.Write([(byte)i]);
            stream.Flush();
            device.ReadExactly(1, TimeSpan.FromSeconds(10));
            device.Write([(byte)i]);
            stream.ReadExactly(one);
        }
    }

    private static LatencyStats Latency(VirtualSerialDevice device, Stream stream, bool toClient, int samples)
    {
        var us = new List<double>(samples);
        var one = new byte[1];
        for (var i = 0; i < samples; i++)
        {
            var b = (byte)(i % 251);
            var started = Stopwatch.GetTimestamp();
            if (toClient)
            {
                device.Write([b]);
                stream.ReadExactly(one);
            }
            else
            {
                stream.Write([b]);
                stream.Flush();
                one = device.ReadExactly(1, TimeSpan.FromSeconds(10));
            }

            us.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            if (one[0] != b)
            {
                throw new InvalidDataException($"latency sample {i}: got {one[0]}, sent {b}");
            }

            Thread.Sleep(2);
        }

        return LatencyStats.From(us);
    }

    private static double ThroughputToClient(VirtualSerialDevice device, Stream stream, long bytes)
    {
        var writer = new Thread(() =>
        {
            for (long at = 0; at < bytes; at += 65536)
            {
                device.Write(Pattern.Slice(at, (int)Math.Min(65536, bytes - at)));
            }
        });
        var buffer = new byte[65536];
        var started = Stopwatch.GetTimestamp();
        writer.Start();
        long got = 0;
        while (got < bytes)
        {
            var n = stream.Read(buffer);
            if (n == 0 || !Pattern.Matches(buffer.AsSpan(0, n), got))
            {
                throw new InvalidDataException($"device->client: {(n == 0 ? "closed" : "wrong bytes")} after {got} bytes");
            }

            got += n;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        writer.Join();
        return bytes / seconds / 1e6;
    }

    private static double ThroughputToDevice(VirtualSerialDevice device, Stream stream, long bytes)
    {
        var writer = new Thread(() =>
        {
            for (long at = 0; at < bytes; at += 65536)
            {
                stream.Write(Pattern.Slice(at, (int)Math.Min(65536, bytes - at)));
            }

            stream.Flush();
        });
        var started = Stopwatch.GetTimestamp();
        writer.Start();
        long got = 0;
        while (got < bytes)
        {
            var chunk = device.ReadExactly((int)Math.Min(65536, bytes - got), TimeSpan.FromSeconds(30));
            if (!Pattern.Matches(chunk, got))
            {
                throw new InvalidDataException($"client->device: wrong bytes after {got} bytes");
            }

            got += chunk.Length;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        writer.Join();
        return bytes / seconds / 1e6;
    }
}
