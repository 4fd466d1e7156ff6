using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api.Entry;

/// <summary>Kestrel's one listener for the API and the dashboard: the <see cref="ConnectionGate"/> at accept.</summary>
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
    }
}
