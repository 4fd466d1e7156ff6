using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;
using Concentrator.Devices;
using Concentrator.Telnet.Rfc2217;

namespace Concentrator.Client.Bridges;

/// <summary>
/// <c>concentrator bridge</c>: a local serial device (e.g. one end of a com0com pair, or any tty) bridged to a
/// remote port over RFC 2217. The device's line settings are sent on every (re)connect; its modem inputs are
/// polled and mirrored as a null modem would wire them (local CTS drives remote RTS, local DSR drives remote
/// DTR). Data read while disconnected is dropped, as on a serial line nobody listens to.
/// </summary>
public sealed class SerialBridge(string devicePath, DeviceBackend backend, LineSettings line, RemoteEndPoint remote, Action<string> log)
{
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>TLS and login for every (re)connect.</summary>
    public ClientSecurity Security { get; init; } = ClientSecurity.None;

    /// <summary>Called once the device is open.</summary>
    public Action? Ready { get; init; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var device = SerialDeviceFactory.Open(devicePath, backend, line);
        var inEffect = device.Apply(line);
        log($"opened {devicePath} ({device.KernelNode}, {inEffect})");
        Ready?.Invoke();
        ModemStatus? lastModem = null;
        var client = new ReconnectingClient(remote, log)
        {
            MaxBackoff = MaxBackoff,
            Security = Security,
            Connected = async (connection, ct) =>
            {
                await connection.SetLineAsync(LineChange.From(inEffect), ct).ConfigureAwait(false);
                lastModem = null; // re-send the modem lines too
            },
            Data = data => device.Write(data),
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var network = client.RunAsync(stop.Token);
        var reader = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[16384];
            while (!stop.IsCancellationRequested)
            {
                var n = device.Read(buffer);
                if (n == 0)
                {
                    return;
                }

                if (client.Current is { } c)
                {
                    PtyBridge.Try(c.SendDataAsync(buffer.AsMemory(0, n).ToArray(), stop.Token));
                }
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var modem = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, stop.Token).ConfigureAwait(false);
                if (client.Current is not { ComPortEnabled: true } c || device.ReadModemStatus() is not { } status || status == lastModem)
                {
                    continue;
                }

                var changed = lastModem is null ? (ModemStatus)0xFF : status ^ lastModem.Value;
                lastModem = status;
                var output = new System.Buffers.ArrayBufferWriter<byte>();
                if ((changed & ModemStatus.ClearToSend) != 0)
                {
                    Rfc2217ClientCodec.SetControl(output, (status & ModemStatus.ClearToSend) != 0 ? ComPortControl.RtsOn : ComPortControl.RtsOff);
                }

                if ((changed & ModemStatus.DataSetReady) != 0)
                {
                    Rfc2217ClientCodec.SetControl(output, (status & ModemStatus.DataSetReady) != 0 ? ComPortControl.DtrOn : ComPortControl.DtrOff);
                }

                await c.SendRawCommandsAsync(output.WrittenMemory, stop.Token).ConfigureAwait(false);
            }
        }, stop.Token);

        try
        {
            await Task.WhenAny(network, reader, modem).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            device.Dispose(); // unblocks the reader
            await Task.WhenAll(
                network.ContinueWith(_ => { }, TaskScheduler.Default),
                reader.ContinueWith(_ => { }, TaskScheduler.Default),
                modem.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        }

        if (reader.IsFaulted && !cancellationToken.IsCancellationRequested)
        {
            await reader.ConfigureAwait(false); // the device failed (unplugged): report it
        }
    }
}
