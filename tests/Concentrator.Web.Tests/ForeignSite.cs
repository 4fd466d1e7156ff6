using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Web.Tests;

/// <summary>
/// Another web site on this machine: a Kestrel on its own loopback port serving the HTML pages a test gives it
/// (<see cref="Serve"/>), so a browser loads them from an origin that is not the daemon's. Reached as
/// http://127.0.0.1:PORT (another origin, the same site) or, in a <see cref="RebindingBrowserFixture"/> browser, as
/// http://evil.test:PORT (another site).
/// </summary>
public sealed class ForeignSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private ForeignSite(WebApplication app) => _app = app;

    /// <summary>Its port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    public static async Task<ForeignSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var site = new ForeignSite(builder.Build());
        site._app.MapGet("/{page}", (string page) => site._pages.TryGetValue(page, out var html)
            ? Results.Content(html, "text/html")
            : Results.NotFound());
        await site._app.StartAsync();
        var address = site._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.Port = new Uri(address).Port;
        return site;
    }

    /// <summary>Serves <paramref name="html"/> at /<paramref name="page"/>; returns that path.</summary>
    public string Serve(string page, string html)
    {
        _pages[page] = html;
        return "/" + page;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
