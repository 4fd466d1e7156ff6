using System.CommandLine;
using Concentrator.Client.Bridges;
using Concentrator.Client.Rfc2217;
using Concentrator.Client.Security;
using Concentrator.Devices;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator bridge DEVICE HOST:PORT [--backend system-io-ports|posix|auto] [--baud N] [--data-bits N]
/// [--parity P] [--stop-bits S] [--flow-control F]</c>: a local serial device bridged to the remote port over
/// RFC 2217 (the com2tcp-rfc2217 replacement). Runs until SIGINT/SIGTERM/SIGHUP, reconnecting with backoff.
/// </summary>
public static class BridgeCommand
{
    public static Command Create()
    {
        var device = new Argument<string>("DEVICE") { Description = "The local serial device, e.g. /dev/ttyS5 or a com0com end" };
        var remote = RemoteEndPointArgument.Create("The remote port (an rfc2217 listener)");
        var security = new ClientSecurityOptions();
        var backend = new WordOption<DeviceBackend>("--backend", "How the local device is opened", "system-io-ports", new Dictionary<string, DeviceBackend>
        {
            ["system-io-ports"] = DeviceBackend.SystemIoPorts,
            ["posix"] = DeviceBackend.Posix,
            ["auto"] = DeviceBackend.Auto,
        });
        var baud = NumberOption.Create("--baud", "Baud rate of the device, also sent to the remote port", 1, int.MaxValue, LineSettings.Default.BaudRate);
        var dataBits = NumberOption.Create("--data-bits", "Data bits", 5, 8, LineSettings.Default.DataBits);
        var parity = new WordOption<Parity>("--parity", "Parity", Parity.None, LineWords.Parities);
        var stopBits = new WordOption<StopBits>("--stop-bits", "Stop bits", StopBits.One, LineWords.StopBits);
        var flowControl = new WordOption<FlowControl>("--flow-control", "Flow control, applied by the device", FlowControl.None, LineWords.FlowControls);

        var command = new Command("bridge",
            "A local serial device bridged to the remote port over RFC 2217; its line settings are sent on every " +
            "(re)connect. Runs until SIGINT/SIGTERM/SIGHUP, reconnecting with backoff.")
        {
            device, remote, backend.Option, baud, dataBits, parity.Option, stopBits.Option, flowControl.Option,
        };
        security.AddTo(command);
        command.SetAction((parse, _) => security.Resolve(parse, "bridge") is not { } secured ? Task.FromResult(ExitCodes.Usage) : RunAsync(
            parse.GetRequiredValue(device),
            parse.GetRequiredValue(remote),
            backend.GetValue(parse),
            new LineSettings(parse.GetValue(baud), parse.GetValue(dataBits), parity.GetValue(parse), stopBits.GetValue(parse), flowControl.GetValue(parse)),
            secured));
        return command;
    }

    private static async Task<int> RunAsync(string device, RemoteEndPoint remote, DeviceBackend backend, LineSettings line, ClientSecurity security)
    {
        using var stop = new CancellationTokenSource();
        using var signals = ClientSignals.CancelOn(stop);
        var bridge = new SerialBridge(device, backend, line, remote, message => Console.Error.WriteLine($"concentrator bridge: {message}")) { Security = security };
        try
        {
            await bridge.RunAsync(stop.Token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is DeviceFaultException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"concentrator bridge: {device}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
