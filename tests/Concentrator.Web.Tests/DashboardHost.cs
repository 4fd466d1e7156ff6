using System.Net;
using Akka.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Management;
using Concentrator.Ports.Port;
using Concentrator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Web.Tests;

/// <summary>
/// The dashboard the way the daemon will serve it, in this process: a real Kestrel on a loopback port with the
/// dashboard mapped, and a real actor system (Akka.Hosting) with a ports supervisor serving two ports: <c>demo</c>
/// on sim:demo (a fake embedded-Linux console) and <c>bench</c> on a virtual serial device (a real pty that the
/// test can unplug and replug). Each port also has an ordinary TCP listener.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new("web-tests-");
    private ListenerBinder.BoundListeners? _listeners;
    private WebApplication? _app;

    public VirtualSerialDevice Pty { get; } = VirtualSerialDevice.CreateTemp("web-bench");

    /// <summary>"http://127.0.0.1:PORT", no trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where the demo port's power command (a fake PDU) notes each cycle.</summary>
    public string PowerMarker => Path.Combine(_directory.FullName, "power-marker");

    /// <summary>The demo port's telnet listener.</summary>
    public int DemoTelnetPort { get; } = FreeTcpPort.Next();

    /// <summary>The pty port's raw listener.</summary>
    public int BenchRawPort { get; } = FreeTcpPort.Next();

    public PortsGateway Ports => _app!.Services.GetRequiredService<PortsGateway>();

    public async Task InitializeAsync()
    {
        var hocon = $$"""
            concentrator.ports {
              demo {
                device = "sim:demo"
                tags = ["rack-1", "arm"]
                power { cycle = ["/bin/sh", "-c", "echo cycle >> '{{PowerMarker}}'; echo outlet 2 cycled"], status = ["/bin/echo", "outlet 2 is on"] }
                listeners = [{ port = {{DemoTelnetPort}}, protocol = telnet }]
              }
              bench {
                device = "{{Pty.LinkPath}}"
                tags = ["rack-2"]
                baud = 9600
                reopen { min-backoff = 50ms, max-backoff = 200ms }
                triggers { panic { match = "Kernel panic", clear = "login:" } }
                # room for a test reader that verifies every byte on a busy machine
                listeners = [{ port = {{BenchRawPort}}, protocol = raw, output-queue = 64MiB }]
              }
            }
            """;
        var config = ConfigLoader.Load(hocon, "web tests", _directory.FullName);
        Assert.True(config.IsValid, string.Join("; ", config.Errors));
        var settings = config.Settings!;
        _listeners = ListenerBinder.BindAll(settings);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("web-tests", (akka, _) =>
        {
            akka.AddHocon("akka.loglevel = WARNING\nakka.log-dead-letters = off\nakka.log-dead-letters-during-shutdown = off",
                HoconAddMode.Prepend);
            akka.AddConcentratorPorts(settings, _listeners);
        });
        builder.Services.AddConcentratorDashboard();
        _app = builder.Build();
        _app.MapConcentratorDashboard();
        await _app.StartAsync();

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
        await WaitForStateAsync("demo", DeviceState.Online);
        await WaitForStateAsync("bench", DeviceState.Online);
    }

    /// <summary>Polls the port's snapshot until it is in <paramref name="state"/>.</summary>
    public Task<PortSnapshot> WaitForStateAsync(string port, DeviceState state) =>
        WaitForAsync(port, snapshot => snapshot.State == state, $"{state}");

    /// <summary>Polls the port's snapshot until <paramref name="condition"/> holds.</summary>
    public async Task<PortSnapshot> WaitForAsync(string port, Func<PortSnapshot, bool> condition, string what)
    {
        PortSnapshot? snapshot = null;
        await Eventually.TrueAsync(async () => (snapshot = await Ports.GetAsync(port)) is not null && condition(snapshot), Timeout,
            () => $"port {port} is {snapshot?.State.ToString() ?? "missing"}, not {what}");
        return snapshot!;
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
        finally
        {
            _listeners?.Dispose();
            Pty.Dispose();
            _directory.Dispose();
        }
    }
}
