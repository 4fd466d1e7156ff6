using Concentrator.Api.Configuration;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api.Entry;

/// <summary>
/// Kestrel's one listener for the API and the dashboard: the <see cref="ConnectionGate"/> at accept, then HTTPS when
/// <c>api.tls</c> is set, with the listeners' TLS settings (TLS 1.2/1.3, the PEM chain sent as loaded). The certificate
/// is taken per handshake from the settings in force, so a reload with a renewed certificate applies to new connections.
/// </summary>
public static class ApiListener
{
    public static void Configure(ListenOptions listen, ApiSettings api, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(services);
        var entry = services.GetRequiredService<HttpEntry>();
        var security = services.GetService<DaemonSecurity>() ?? DaemonSecurity.Unlimited();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("Concentrator.Api.Entry");
        listen.UseConnectionGate(entry, security, log);
        if (api.Tls is not { } started)
        {
            return;
        }

        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            // A reload that dropped tls keeps the started certificate: HTTP versus HTTPS changes only at a restart.
            OnConnection = _ => ValueTask.FromResult((entry.Settings.Tls ?? started).ServerOptions(_ => { })),
            HandshakeTimeout = security.Settings.HandshakeTimeout,
        });
    }
}
