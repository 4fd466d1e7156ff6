using Akka.Actor;
using Akka.Hosting;
using Concentrator.Leases.Configuration;
using Concentrator.Leases.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Concentrator.Leases.Tests.Hosting;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LeaseHostingTests
{
    [Fact]
    public async Task AddConcentratorLeases_starts_the_service_on_the_configured_store_for_the_configured_ports()
    {
        using var directory = new TempDirectory("leases-hosting-");
        var config = ConfigLoader.Load("""
            concentrator {
              ports.rpi-1 { device = "sim:echo", listeners = [{ port = 7301, bind = "127.0.0.5" }], tags = ["board:rpi4"] }
              leases.store = "sqlite:state.db"
            }
            """, "rack.conf", directory.FullName, sections: [LeaseConfigSection.Instance]);
        Assert.True(config.IsValid, string.Join("; ", config.Errors));
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("leases-hosting", (akka, _) => akka.AddConcentratorLeases(config.Settings!));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var service = host.Services.GetRequiredService<ActorRegistry>().Get<LeaseServiceKey>();

            var granted = await service.Ask<LeaseAnswer>(new AcquireLease(null, ["board:rpi4"], TimeSpan.FromMinutes(5), TimeSpan.Zero, "ci"),
                TimeSpan.FromSeconds(15));

            var lease = Assert.IsType<LeaseGranted>(granted).Lease;
            Assert.Equal(("rpi-1", "127.0.0.5:7301"), (lease.Port, lease.Endpoint));
            Assert.True(File.Exists(Path.Combine(directory.FullName, "state.db")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory.FullName, "state.db")));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
