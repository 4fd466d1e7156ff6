using System.Net;
using System.Net.Sockets;
using Concentrator.Api.Auth;
using Concentrator.Api.Configuration;
using Concentrator.Api.Health;
using Concentrator.Api.Leases;
using Concentrator.Api.Metrics;
using Concentrator.Api.Ports;
using Concentrator.Api.Reload;
using Concentrator.Api.Sessions;
using Concentrator.Api.Cluster;
using Concentrator.Api.Entry;
using Concentrator.Leases.Service;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Concentrator.Api;

/// <summary>
/// Wires management into the daemon's host. <see cref="AddManagement"/> (reload, SIGHUP) serves with or without the
/// HTTP API; <see cref="AddManagementApi"/> and <see cref="MapManagementApi"/> add Kestrel and the endpoints.
/// </summary>
public static class ManagementApi
{
    /// <summary>Reload by SIGHUP and by the API, and the supervisor client: needed even when the API is off.</summary>
    public static IServiceCollection AddManagement(this IServiceCollection services, ConcentratorSettings settings, ConfigSource source, ApiAccess access)
    {
        services.AddSingleton(settings);
        services.AddSingleton(source);
        services.AddSingleton(access);
        services.AddSingleton(new HttpEntry(settings.ApiSettings()));
        services.AddPortsGateway();
        // A cluster registers its own before this (requests routed to the owner node, the other nodes' ports).
        services.TryAddSingleton<ILeaseRequests, LocalLeaseRequests>();
        services.TryAddSingleton<IOtherNodes, SingleHost>();
        services.AddSingleton<ConfigReloader>();
        services.AddHostedService<ReloadOnHangup>();
        return services;
    }

    /// <summary>
    /// Kestrel on <paramref name="listenSocket"/>, bound (like every serial listener) before the host was built, so
    /// an address in use stopped the daemon before anything was served. Kestrel takes the socket over; its connections
    /// pass the API's source filter and the daemon's per-source limits first (<see cref="ApiListener"/>).
    /// </summary>
    public static WebApplicationBuilder AddManagementApi(this WebApplicationBuilder builder, ApiSettings api, Socket listenSocket)
    {
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endPoint =>
            endPoint is IPEndPoint ip && ip.Equals(api.EndPoint) ? listenSocket : SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(api.EndPoint, listen => ApiListener.Configure(listen, api, kestrel.ApplicationServices));
        });

        // The base authentication handler logs every challenge and forbid at Information: chatter under polling.
        builder.Logging.AddFilter(typeof(TokenAuthenticationHandler).FullName, LogLevel.Warning);

        var services = builder.Services;
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddProblemDetails();
        // Authentication brings ASP.NET's data protection, which we never use (no cookies): keep its keys in memory
        // instead of files in the daemon user's home, and its warning about them out of the daemon log.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(ApiPolicies.Add);
        services.AddSingleton<IAuthorizationHandler, ApiPolicies.RoleHandler>();
        services.AddOpenApi();
        services.AddDaemonHealthChecks();
        services.AddDaemonMetrics();
        return builder;
    }

    public static WebApplication MapManagementApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseForwardedClient(); // who the caller is (a trusted proxy's client), before anything asks
        app.UseConnectionSlotsForStreams();
        app.UseStatusCodePages(); // 404 for an unknown path, 405 for a wrong method: problem+json like every other error
        app.UseBrowserBoundary(); // what another site's page may make a browser send here: nothing that changes anything
        app.UseAuthentication();
        app.UseAuthorization();

        PortEndpoints.Map(app);
        Automation.AutomationEndpoints.Map(app);
        SessionEndpoints.Map(app);
        LeaseEndpoints.Map(app);
        ClusterEndpoints.Map(app);
        ReloadEndpoints.Map(app);
        Recordings.RecordingEndpoints.Map(app);
        HealthEndpoints.Map(app);
        MetricsEndpoints.Map(app);
        app.MapOpenApi().RequireAuthorization(ApiPolicies.Read);
        return app;
    }
}
