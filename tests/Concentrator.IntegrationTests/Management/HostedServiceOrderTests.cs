using Akka.Hosting;
using Concentrator.Api.Auth;
using Concentrator.Api.Configuration;
using Concentrator.Api.Reload;
using Concentrator.Commands;
using Concentrator.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Listener;
using Concentrator.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Concentrator.IntegrationTests.Management;

/// <summary>
/// The daemon's host starts hosted services in registration order and stops them in reverse: Akka must come before
/// Kestrel (GenericWebHostService), so the API never asks an actor system that is not there yet or already gone.
/// </summary>
public sealed class HostedServiceOrderTests
{
    [Fact]
    public void Akka_starts_before_kestrel_and_so_stops_after_it()
    {
        var result = ConfigLoader.Load($$"""
            concentrator.ports.p { device = "sim:echo", listeners = [ { port = {{FreeTcpPort.Next()}} } ] }
            concentrator.api.port = {{FreeTcpPort.Next()}}
            """, "test", Path.GetTempPath(), sections: FeatureSections.All);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var settings = result.Settings!;
        using var listeners = ListenerBinder.BindAll(settings);
        using var apiSocket = ListenerBinder.Bind(settings.ApiSettings().EndPoint, "api", "http");
        var management = new ServeCommand.Management(new ConfigSource("test", () => result), new ApiAccess([], false), apiSocket);

        using var host = ServeCommand.BuildHost(settings, listeners, result.Raw, LogFormat.Text, management);
        var order = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        var akka = order.FindIndex(n => n.StartsWith("AkkaHostedService", StringComparison.Ordinal));
        var kestrel = order.IndexOf("GenericWebHostService");
        Assert.True(akka >= 0 && kestrel >= 0, string.Join(", ", order));
        Assert.True(akka < kestrel, $"Akka must start before Kestrel: {string.Join(", ", order)}");
        Assert.Equal(order.Count - 1, kestrel); // last to start, first to stop
        GC.KeepAlive(typeof(AkkaHostingExtensions));
    }
}
