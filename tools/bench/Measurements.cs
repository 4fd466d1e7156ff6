using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Concentrator.Testing;

namespace Concentrator.Bench;

/// <summary>A deterministic pseudo-random byte stream (all 256 values) whose period is not a power of two.</summary>
internal static class Pattern
{
    public const int Period = 1_048_573;
    public const int MaxSlice = 256 * 1024;
    private static readonly byte[] Data = Build();

    /// <summary>Bytes [position, position + count) of the stream; count at most <see cref="MaxSlice"/>.</summary>
    public static ReadOnlySpan<byte> Slice(long position, int count) => Data.AsSpan((int)(position % Period), count);

    public static bool Matches(ReadOnlySpan<byte> received, long position) => received.SequenceEqual(Slice(position, received.Length));

    private static byte[] Build()
    {
        var data = new byte[Period + MaxSlice];
        new Random(20240607).NextBytes(data.AsSpan(0, Period));
        data.AsSpan(0, MaxSlice).CopyTo(data.AsSpan(Period));
        return data;
    }
}

internal sealed record LatencyStats(int Samples, double P50Us, double P99Us, double MeanUs, double MaxUs)
{
    public static LatencyStats From(List<double> us)
    {
        var sorted = us.Order().ToArray();
        double Pct(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyStats(sorted.Length, Pct(0.50), Pct(0.99), sorted.Average(), sorted[^1]);
    }
}

internal sealed record ThroughputResult(long Bytes, double Seconds, double MBps, double ServerCpuMsPerMB, bool Verified, string? Error)
{
    /// <summary>Rate and server CPU per MB from what one verified transfer measured; verified when nothing failed.</summary>
    public static ThroughputResult Of(long received, double seconds, long serverCpuTicks, string? error)
    {
        var mb = received / 1e6;
        var cpuMs = serverCpuTicks * 1000.0 / ProcFs.TicksPerSecond;
        return new ThroughputResult(received, seconds, mb / seconds, mb > 0 ? cpuMs / mb : double.NaN, error is null, error);
    }
}

internal sealed record FanOutResult(
    int Clients, bool WithStalledClient, long BytesPerClient, double AggregateMBps, double SlowestReaderMBps, double WriterMBps, double SlowestLagMs,
    bool Completed, double DeliveredFraction, string? StalledClientFate, string? Error);

internal sealed record IdleResult(int Ports, double CpuPercentOfOneCore, double RssMiB, double WindowSeconds, double DeliveredBytesPerSecond, string? Error);

internal static class Measure
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Makes sure the session is attached both ways (a raw listener without replay drops what the device printed
    /// before the session existed): probes device -> every client until all got a byte, then client -> device.
    /// </summary>
    public static void Sync(VirtualSerialDevice device, IReadOnlyList<BenchConn> clients, bool bothWays)
    {
        var pending = new HashSet<BenchConn>(clients);
        var buffer = new byte[64 * 1024];
        for (var attempt = 0; attempt < 200 && pending.Count > 0; attempt++)
        {
            device.Write([0xA5]);
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;
            while (pending.Count > 0 && Stopwatch.GetTimestamp() < until)
            {
                foreach (var s in pending.ToArray())
                {
                    if (s.Socket.Poll(1000, SelectMode.SelectRead))
                    {
                        var (wire, data) = s.ReceiveOnce(buffer);
                        if (wire == 0)
                        {
                            throw new IOException("the server closed the connection during the handshake");
                        }

                        if (data > 0)
                        {
                            pending.Remove(s);
                        }
                    }
                }
            }
        }

        if (pending.Count > 0)
        {
            throw new TimeoutException($"{pending.Count} of {clients.Count} client(s) never received the device's probe byte");
        }

        Drain(clients, buffer);
        if (bothWays)
        {
            foreach (var s in clients)
            {
                s.Send([(byte)0x5A]);
                _ = device.ReadExactly(1, IoTimeout);
            }

            _ = device.ReadAvailable(TimeSpan.FromMilliseconds(50));
        }
    }

    private static void Drain(IReadOnlyList<BenchConn> clients, byte[] buffer)
    {
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromMilliseconds(100))
        {
            foreach (var s in clients)
            {
                while (s.Socket.Available > 0)
                {
                    _ = s.ReceiveOnce(buffer);
                    quietSince = Stopwatch.GetTimestamp();
                }
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>One byte at a time: the machine writes, the client reads (or the reverse); time per byte. A zero gap sends each byte as soon as the previous one arrived.</summary>
    public static LatencyStats Latency(VirtualSerialDevice device, BenchConn client, bool deviceToClient, int samples, int warmup, TimeSpan gap)
    {
        var result = new List<double>(samples);
        var buffer = new byte[1];
        for (var i = 0; i < warmup + samples; i++)
        {
            var b = (byte)(i * 7 + 1);
            var t0 = Stopwatch.GetTimestamp();
            byte got;
            try
            {
                if (deviceToClient)
                {
                    device.Write([b]);
                    if (client.Receive(buffer) != 1)
                    {
                        throw new IOException("the server closed the connection");
                    }

                    got = buffer[0];
                }
                else
                {
                    client.Send([b]);
                    got = device.ReadExactly(1, IoTimeout)[0];
                }
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                throw new IOException($"{(deviceToClient ? "device→client" : "client→device")} sample {i - warmup} (byte 0x{b:x2}): {e.Message}", e);
            }

            var t1 = Stopwatch.GetTimestamp();
            if (got != b)
            {
                throw new InvalidDataException($"sample {i}: sent 0x{b:x2}, received 0x{got:x2}");
            }

            if (i >= warmup)
            {
                result.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
            }

            if (gap > TimeSpan.Zero)
            {
                Thread.Sleep(gap);
            }
        }

        return LatencyStats.From(result);
    }

    /// <summary>Streams <paramref name="bytes"/> of the pattern one way and verifies every byte on the other side.</summary>
    public static ThroughputResult Throughput(VirtualSerialDevice device, BenchConn client, bool deviceToClient, long bytes, int serverPid)
    {
        Exception? writerError = null;
        var writer = new Thread(() =>
        {
            try
            {
                for (long pos = 0; pos < bytes;)
                {
                    var n = (int)Math.Min(64 * 1024, bytes - pos);
                    if (deviceToClient)
                    {
                        device.Write(Pattern.Slice(pos, n));
                    }
                    else
                    {
                        client.Send(Pattern.Slice(pos, n));
                    }

                    pos += n;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                writerError = e;
            }
        })
        { IsBackground = true, Name = "bench-writer" };

        var cpu0 = ProcFs.CpuTicks(serverPid);
        var t0 = Stopwatch.GetTimestamp();
        writer.Start();
        long received = 0;
        string? error = null;
        var buffer = new byte[Pattern.MaxSlice];
        try
        {
            while (received < bytes)
            {
                int n;
                ReadOnlySpan<byte> chunk;
                if (deviceToClient)
                {
                    n = client.Receive(buffer.AsSpan(0, (int)Math.Min(buffer.Length, bytes - received)));
                    if (n == 0)
                    {
                        throw new IOException("the server closed the connection");
                    }

                    chunk = buffer.AsSpan(0, n);
                }
                else
                {
                    var data = device.ReadExactly((int)Math.Min(64 * 1024, bytes - received), IoTimeout);
                    n = data.Length;
                    chunk = data;
                }

                if (!Pattern.Matches(chunk, received))
                {
                    throw new InvalidDataException($"corrupted data in bytes {received}..{received + n}");
                }

                received += n;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or InvalidDataException)
        {
            error = $"after {received} of {bytes} bytes: {e.Message}";
        }

        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpuTicks = ProcFs.CpuTicks(serverPid) - cpu0;
        writer.Join(TimeSpan.FromSeconds(5));
        return ThroughputResult.Of(received, seconds, cpuTicks, error ?? writerError?.Message);
    }

    /// <summary>
    /// One device, <paramref name="clients"/> reading clients (plus optionally one that never reads): the machine writes
    /// <paramref name="bytes"/> (paced to <paramref name="paceBytesPerSecond"/> when given, else as fast as the pty
    /// takes it); each reader verifies all of it. Gives up when nothing moves for <paramref name="stallTimeout"/>.
    /// </summary>
    public static FanOutResult FanOut(ServerInstance server, int clients, bool withStalled, long bytes, double? paceBytesPerSecond,
        TimeSpan stallTimeout, TimeSpan deadline)
    {
        var device = server.Devices[0];
        var port = server.TcpPorts[0];
        var conns = new List<BenchConn>();
        BenchConn? stalled = null;
        using var cts = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < clients; i++)
            {
                conns.Add(BenchConn.Connect(port));
            }

            if (withStalled)
            {
                stalled = BenchConn.Connect(port, receiveBuffer: 4096);
            }

            Sync(device, stalled is null ? conns : [.. conns, stalled], bothWays: false);

            // Warm-up pass (JIT, buffers) on the same connections; only the second pass is measured.
            var warm = Pass(device, conns, Math.Min(bytes, 1L << 20), paceBytesPerSecond, stallTimeout, deadline, cts.Token);
            if (!warm.Completed)
            {
                return warm with { Clients = clients, WithStalledClient = withStalled, Error = "warm-up: " + warm.Error };
            }

            var r = Pass(device, conns, bytes, paceBytesPerSecond, stallTimeout, deadline, cts.Token);
            cts.Cancel();
            var fate = stalled is null ? null : StalledFate(stalled, bytes);
            return r with { Clients = clients, WithStalledClient = withStalled, StalledClientFate = fate };
        }
        finally
        {
            cts.Cancel();
            foreach (var s in conns)
            {
                s.Dispose();
            }

            stalled?.Dispose();
        }
    }

    /// <summary>Writes the pattern to the device, 4 KiB at a time when paced (sleeping until each chunk is due), else 64 KiB.</summary>
    private static void PacedWrite(VirtualSerialDevice device, long bytes, double? paceBytesPerSecond)
    {
        var chunk = paceBytesPerSecond is null ? 64 * 1024 : 4096;
        var t0 = Stopwatch.GetTimestamp();
        for (long pos = 0; pos < bytes; pos += chunk)
        {
            if (paceBytesPerSecond is { } rate)
            {
                var due = pos / rate;
                while (Stopwatch.GetElapsedTime(t0).TotalSeconds < due)
                {
                    Thread.Sleep(1);
                }
            }

            device.Write(Pattern.Slice(pos, (int)Math.Min(chunk, bytes - pos)));
        }
    }

    /// <summary>
    /// Receives the pattern stream on one connection up to <paramref name="limit"/> bytes, verifying every byte and
    /// publishing progress in <paramref name="delivered"/>; a close or corruption is recorded in <paramref name="errors"/>.
    /// </summary>
    private static async Task ReceiveVerifiedAsync(BenchConn s, byte[] buffer, long limit, long[] delivered, string?[] errors,
        int i, CancellationToken ct)
    {
        long got = 0;
        while (got < limit)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - got)), ct).ConfigureAwait(false);
            if (n == 0)
            {
                errors[i] = $"closed by the server after {got} bytes";
                return;
            }

            if (!Pattern.Matches(buffer.AsSpan(0, n), got))
            {
                errors[i] = $"corrupted data in bytes {got}..{got + n}";
                return;
            }

            got += n;
            Volatile.Write(ref delivered[i], got);
        }
    }

    private static FanOutResult Pass(VirtualSerialDevice device, List<BenchConn> conns, long bytes, double? paceBytesPerSecond,
        TimeSpan stallTimeout, TimeSpan deadline, CancellationToken ct)
    {
        var clients = conns.Count;
        var delivered = new long[clients];
        var finished = new long[clients];
        var errors = new string?[clients];
        long writerDone = 0;
        Exception? writerError = null;
        var t0 = Stopwatch.GetTimestamp();
        var writer = new Thread(() =>
        {
            try
            {
                PacedWrite(device, bytes, paceBytesPerSecond);
                Volatile.Write(ref writerDone, Stopwatch.GetTimestamp());
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                writerError = e;
            }
        })
        { IsBackground = true, Name = "bench-fanout-writer" };

        var readers = conns.Select((s, i) => Task.Run(async () =>
        {
            var buffer = new byte[Pattern.MaxSlice];
            try
            {
                await ReceiveVerifiedAsync(s, buffer, bytes, delivered, errors, i, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                errors[i] ??= e.Message;
            }
            finally
            {
                Volatile.Write(ref finished[i], Stopwatch.GetTimestamp());
            }
        })).ToArray();
        writer.Start();

        long lastTotal = -1;
        var lastProgress = Stopwatch.GetTimestamp();
        var completed = true;
        while (!Task.WaitAll(readers, 50))
        {
            var total = delivered.Sum(d => Volatile.Read(ref d));
            if (total != lastTotal)
            {
                lastTotal = total;
                lastProgress = Stopwatch.GetTimestamp();
            }

            if (Stopwatch.GetElapsedTime(lastProgress) > stallTimeout || Stopwatch.GetElapsedTime(t0) > deadline)
            {
                completed = false;
                break;
            }
        }

        var end = completed ? finished.Max() : Stopwatch.GetTimestamp();
        var totalDelivered = delivered.Sum();
        var seconds = Stopwatch.GetElapsedTime(t0, end).TotalSeconds;
        var writerEnd = Volatile.Read(ref writerDone);
        var writerMBps = writerEnd != 0 ? bytes / 1e6 / Stopwatch.GetElapsedTime(t0, writerEnd).TotalSeconds : double.NaN;
        var cutOff = errors.Count(e => e is not null);
        var ok = completed && cutOff == 0;
        var lag = ok && writerEnd != 0 ? Stopwatch.GetElapsedTime(writerEnd, end).TotalMilliseconds : double.NaN;
        var slowest = ok ? finished.Min(f => bytes / 1e6 / Stopwatch.GetElapsedTime(t0, f).TotalSeconds) : double.NaN;
        var firstError = errors.FirstOrDefault(e => e is not null) ?? writerError?.Message;
        if (!completed)
        {
            firstError = Stopwatch.GetElapsedTime(t0) > deadline
                ? $"not done within {deadline.TotalSeconds:0} s"
                : $"stalled: no progress for {stallTimeout.TotalSeconds:0} s";
        }
        else if (cutOff > 0)
        {
            firstError = $"{cutOff} of {clients} reading client(s) cut off (first: {firstError})";
        }

        return new FanOutResult(clients, false, bytes, totalDelivered / 1e6 / seconds, slowest, writerMBps, lag, ok,
            totalDelivered / (double)(bytes * clients), null, firstError);
    }

    /// <summary>After the run: did the server cut off the client that never read, or is it still connected?</summary>
    private static string StalledFate(BenchConn stalled, long bytes)
    {
        var buffer = new byte[Pattern.MaxSlice];
        long got = 0;
        var deadline = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        try
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (!stalled.Socket.Poll(500_000, SelectMode.SelectRead))
                {
                    return $"still connected, {got} of {bytes} bytes readable afterwards";
                }

                var n = stalled.Socket.Receive(buffer);
                if (n == 0)
                {
                    return $"disconnected by the server ({got} bytes were buffered)";
                }

                got += n;
            }

            return $"still connected, {got}+ bytes readable afterwards";
        }
        catch (SocketException e)
        {
            return $"disconnected by the server ({e.SocketErrorCode}, {got} bytes were buffered)";
        }
    }

    /// <summary>
    /// N ports, one client each (so every server has every device open): CPU and RSS over a window. With
    /// <paramref name="bytesPerSecondPerPort"/> &gt; 0 every device writes that much (in 4 ticks a second) and
    /// every client reads and verifies it.
    /// </summary>
    public static IdleResult Idle(ServerInstance server, TimeSpan window, int bytesPerSecondPerPort = 0)
    {
        var conns = new List<BenchConn>();
        using var cts = new CancellationTokenSource();
        var delivered = new long[server.TcpPorts.Count];
        var errors = new string?[server.TcpPorts.Count];
        Thread? writer = null;
        Task[] readers = [];
        try
        {
            for (var i = 0; i < server.TcpPorts.Count; i++)
            {
                var s = BenchConn.Connect(server.TcpPorts[i]);
                conns.Add(s);
                Sync(server.Devices[i], [s], bothWays: false);
            }

            if (bytesPerSecondPerPort > 0)
            {
                var perTick = bytesPerSecondPerPort / 4;
                readers = conns.Select((s, i) => Task.Run(async () =>
                {
                    var buffer = new byte[64 * 1024];
                    try
                    {
                        // Until cancelled: the unbounded limit never ends the loop by itself.
                        await ReceiveVerifiedAsync(s, buffer, long.MaxValue, delivered, errors, i, cts.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                })).ToArray();
                writer = new Thread(() =>
                {
                    long pos = 0;
                    var t0 = Stopwatch.GetTimestamp();
                    for (var tick = 0; !cts.IsCancellationRequested; tick++)
                    {
                        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < tick * 0.25 && !cts.IsCancellationRequested)
                        {
                            Thread.Sleep(5);
                        }

                        foreach (var d in server.Devices)
                        {
                            d.Write(Pattern.Slice(pos, perTick));
                        }

                        pos += perTick;
                    }
                })
                { IsBackground = true, Name = "bench-ports-writer" };
                writer.Start();
            }

            Thread.Sleep(TimeSpan.FromSeconds(2));
            var bytes0 = delivered.Sum();
            var cpu0 = ProcFs.CpuTicks(server.MainPid);
            var t0 = Stopwatch.GetTimestamp();
            Thread.Sleep(window);
            var cpu1 = ProcFs.CpuTicks(server.MainPid);
            var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            var bytes1 = delivered.Sum();
            var rss = ProcFs.RssKiB(server.MainPid) / 1024.0;
            cts.Cancel();
            writer?.Join(TimeSpan.FromSeconds(5));
            var cutOff = errors.Count(e => e is not null);
            return new IdleResult(server.TcpPorts.Count, (cpu1 - cpu0) / ProcFs.TicksPerSecond / seconds * 100.0, rss, seconds,
                (bytes1 - bytes0) / seconds, cutOff == 0 ? null : $"{cutOff} client(s) failed (first: {errors.First(e => e is not null)})");
        }
        finally
        {
            cts.Cancel();
            foreach (var s in conns)
            {
                s.Dispose();
            }

            Task.WaitAll(readers, TimeSpan.FromSeconds(5));
        }
    }
}
