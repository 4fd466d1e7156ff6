using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Akka.Configuration;
using Akka.Hosting;
using Concentrator.Api;
using Concentrator.Api.Auth;
using Concentrator.Api.Configuration;
using Concentrator.Api.Reload;
using Concentrator.Cluster.Configuration;
using Concentrator.Cluster.Hosting;
using Concentrator.Devices;
using Concentrator.Hosting;
using Concentrator.Mdns;
using Concentrator.Leases.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Listener;
using Concentrator.Web;
using Microsoft.AspNetCore.Builder;
using Concentrator.Ports.Audit;
using Concentrator.Ports.Recording;
using Concentrator.Ports.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator serve [--config FILE] [--check] [--log-format text|json]</c>: validate the config completely, bind
/// every listener (and the management API's), log the plan, then run the actor system and the API until Ctrl-C /
/// SIGTERM; SIGHUP reloads the config. Nothing binds unless the whole config is valid.
/// </summary>
public static partial class ServeCommand
{
    private const string EmbeddedName = "<embedded default>";

    public static Command Create()
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "The HOCON config file (default: the embedded demo, a simulated console on 127.0.0.1:7000)",
            HelpName = "FILE",
        };
        var check = new Option<bool>("--check") { Description = "Validate the config, print what would be served and exit; nothing binds" };
        var witness = new Option<bool>("--witness")
        {
            Description = "Serve no ports: only vote in the cluster (concentrator.cluster), so two port hosts keep a majority when one dies",
        };
        var logFormat = new WordOption<LogFormat>("--log-format",
            "The daemon log on stdout: text (one short line per event) or json (one JSON object per line)", "text",
            new Dictionary<string, LogFormat> { ["text"] = LogFormat.Text, ["json"] = LogFormat.Json });
        var command = new Command("serve",
            "Run the daemon: validate the whole config, bind every listener, serve until SIGINT/SIGTERM. " +
            "Nothing binds unless the whole config is valid.")
        {
            config, check, witness, logFormat.Option,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(config), parse.GetValue(check), parse.GetValue(witness), logFormat.GetValue(parse)));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, bool check, bool witness, LogFormat logFormat)
    {
        var source = SourceOf(configPath, witness);
        var result = source.Load();
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"config error: {error}");
            }

            Console.Error.WriteLine($"concentrator: {result.Errors.Count} problem(s) in {result.Errors[0].File}; nothing was started");
            return ExitCodes.Usage;
        }

        var settings = result.Settings!;
        if (LoadTokens(settings) is not { } tokens)
        {
            return ExitCodes.Usage;
        }

        var warnings = SecurityAudit.Warnings(settings).Concat(FeatureSections.All.SelectMany(f => f.Warnings(settings, DateTimeOffset.UtcNow))).ToList();
        if (check)
        {
            Console.Out.Write(DescribePlan(settings));
            foreach (var warning in warnings)
            {
                Console.Out.WriteLine($"warning: {warning}");
            }

            Console.Out.WriteLine("config OK");
            return ExitCodes.Ok;
        }

        ListenerBinder.BoundListeners listeners;
        Socket? apiSocket;
        try
        {
            listeners = ListenerBinder.BindAll(settings);
            try
            {
                apiSocket = settings.ApiSettings().Enabled ? ListenerBinder.Bind(settings.ApiSettings().EndPoint, "api", "http") : null;
            }
            catch
            {
                listeners.Dispose();
                throw;
            }
        }
        catch (ListenerBindException e)
        {
            Console.Error.WriteLine($"concentrator: {e.Message}; nothing was started");
            return ExitCodes.Failure;
        }

        if (settings.ClusterSettings() is { } cluster && ClusterBindProblem(cluster) is { } problem)
        {
            listeners.Dispose();
            apiSocket?.Dispose();
            Console.Error.WriteLine($"concentrator: concentrator.cluster.bind {cluster.Bind.Host}:{cluster.Bind.Port}: {problem}; nothing was started");
            return ExitCodes.Failure;
        }

        using (listeners)
        using (apiSocket) // Kestrel owns it once it serves; disposing twice is harmless
        {
            var management = new Management(source, new ApiAccess(tokens, settings.ApiSettings().AllowAnonymousActions), apiSocket);
            using var host = BuildHost(settings, listeners, result.Raw, logFormat, management);
            // The plan goes through the log, so that with --log-format json every line on stdout is JSON.
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServeCommand));
            LogPlan(log, DescribePlan(settings).TrimEnd());
            foreach (var warning in warnings)
            {
                LogSecurityWarning(log, warning);
            }

            await host.StartAsync().ConfigureAwait(false);
            await host.WaitForShutdownAsync().ConfigureAwait(false);
            LogStopped(log);
        }

        return ExitCodes.Ok;
    }

    /// <summary>The API's tokens (none without a tokens file); null after printing why the tokens file cannot be used.</summary>
    private static IReadOnlyList<ApiToken>? LoadTokens(ConcentratorSettings settings)
    {
        if (settings.ApiSettings() is not { Enabled: true, TokensFile: { } file })
        {
            return [];
        }

        var (tokens, problems) = TokenFile.Load(file);
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"config error: {settings.Source}: key 'concentrator.api.tokens-file': {problem}");
        }

        if (problems.Count == 0)
        {
            return tokens;
        }

        Console.Error.WriteLine("concentrator: the API tokens file is not usable; nothing was started");
        return null;
    }

    /// <summary>What management needs from serve: where the config came from, who may use the API, and its bound socket (null: API off).</summary>
    internal sealed record Management(ConfigSource Source, ApiAccess Access, Socket? ApiSocket);

    /// <summary>
    /// The daemon's host. With the API on it is a WebApplication whose Kestrel (GenericWebHostService) is registered
    /// after every other hosted service when it is built, so Akka starts before Kestrel serves a request and, as the
    /// host stops hosted services in reverse order, Kestrel stops before the actors (HostedServiceOrderTests checks it).
    /// </summary>
    internal static IHost BuildHost(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners, Config? raw, LogFormat logFormat,
        Management management)
    {
        // The content root is the install directory, not the working directory: the host watches its content root
        // recursively, and a daemon started from / (systemd, containers) would watch the whole filesystem.
        var web = management.ApiSocket is null ? null
            : WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        IHostApplicationBuilder builder = web is null
            ? Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory })
            : web;
        builder.Logging.AddDaemonConsole(logFormat);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSystemdNotify(); // READY=1 / STOPPING=1 under a Type=notify unit; nothing without NOTIFY_SOCKET
        // One per daemon: the per-source limits hold over the serial listeners and the HTTP streams alike.
        var security = new DaemonSecurity(settings.SecurityOrDefault)
        {
            Audit = new AuditTrail(settings.AuditSettings(), JournalSink.FromEnvironment(), e => Console.Error.WriteLine($"concentrator: audit trail: {e}")),
            Recordings = new RecordingStore(settings.RecordingSettings()),
        };
        builder.Services.AddSingleton(security);

        builder.Services.AddAkka("concentrator", (akka, _) =>
        {
            // tick-duration: once anything is scheduled, Akka's scheduler wakes every tick for good (at the default 10 ms
            // that is ~2% of a core on an idle daemon); our timers (idle timeouts, modem polls, backoff) need no finer than 100 ms.
            akka.AddHocon("akka.loglevel = INFO\nakka.log-dead-letters = off\nakka.log-dead-letters-during-shutdown = off\n" +
                "akka.scheduler.tick-duration = 100ms",
                HoconAddMode.Prepend);
            if (raw?.HasPath("akka") == true)
            {
                // Tuning from the user's file wins over our defaults.
                akka.AddHocon(raw, HoconAddMode.Prepend);
            }

            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<AkkaLogBridge>();
            });
            akka.AddConcentratorPorts(settings, listeners, security);
            akka.AddConcentratorLeases(settings, settings.ClusterSettings()?.NodeName); // after the ports: it tells them their lease through the ports supervisor
        });
        // After AddAkka: the cluster part starts once the ports and the lease service run, and stops before them.
        var api = settings.ApiSettings();
        builder.Services.AddConcentratorCluster(settings, api.Enabled ? api.Url : null, typeof(AkkaLogBridge));
        builder.Services.AddManagement(settings, management.Source, management.Access);
        builder.Services.AddMdnsAnnouncements(settings);
        if (web is null)
        {
            return ((HostApplicationBuilder)builder).Build();
        }

        // The dashboard and browser terminal share the API's Kestrel, and its principals (tokens, via /login).
        web.Services.AddSingleton<DashboardSessions>();
        web.Services.AddSingleton<Concentrator.Web.Access.IDashboardAuthorizer, ApiTokenDashboardAuthorizer>();
        web.Services.AddConcentratorDashboard();
        var app = web.AddManagementApi(settings.ApiSettings(), management.ApiSocket!).Build();
        app.MapManagementApi().MapConcentratorDashboard();
        app.MapDashboardLogin();
        return app;
    }

    /// <summary>
    /// Whether the cluster transport can listen where configured. Akka binds it when the cluster part starts, after
    /// the host started; a quick trial bind first turns "address in use" into a plain error before anything serves.
    /// </summary>
    private static string? ClusterBindProblem(ClusterSettings cluster)
    {
        try
        {
            var addresses = System.Net.IPAddress.TryParse(cluster.Bind.Host, out var ip) ? [ip] : System.Net.Dns.GetHostAddresses(cluster.Bind.Host);
            using var trial = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            trial.Bind(new System.Net.IPEndPoint(addresses[0], cluster.Bind.Port));
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the address is in use" : e.Message;
        }
    }

    /// <summary>The config file (its full path, so a reload reads the same file) or the embedded default, readable again for a reload.</summary>
    private static ConfigSource SourceOf(string? configPath, bool witness)
    {
        if (configPath is null)
        {
            var directory = Environment.CurrentDirectory;
            return new ConfigSource(EmbeddedName, () => ConfigLoader.Load(ReadEmbeddedDefault(), EmbeddedName, directory, FeatureSections.For(witness)));
        }

        var path = Path.GetFullPath(configPath);
        return new ConfigSource(path, () => ConfigLoader.LoadFile(path, FeatureSections.For(witness)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Plan}")]
    private static partial void LogPlan(ILogger logger, string plan);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogSecurityWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "concentrator: stopped")]
    private static partial void LogStopped(ILogger logger);

    /// <summary>The plan logged at startup and printed by --check: each port, its device and its listeners.</summary>
    public static string DescribePlan(ConcentratorSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine($"concentrator {BuildInfo.Version}: {settings.Ports.Count} port(s) from {settings.Source}");
        foreach (var port in settings.Ports)
        {
            _ = DeviceAddress.TryParse(port.Device, out var address, out _);
            var kind = address.Kind switch
            {
                DeviceKind.Simulated => "simulated",
                DeviceKind.Local => port.Backend.ToString().ToLowerInvariant() + " backend",
                DeviceKind.Exec => "program on a pty",
                _ => "upstream " + address.Kind.ToString().ToLowerInvariant(),
            };
            text.AppendLine($"  port {port.Name}: {port.Device} ({kind}), {port.Line}");
            foreach (var listener in port.Listeners)
            {
                text.AppendLine($"    listening: {listener}");
            }
        }

        text.AppendLine($"  api: {settings.ApiSettings()}");
        if (settings.ClusterSettings() is { } cluster)
        {
            text.AppendLine($"  cluster: {cluster}");
        }

        if (settings.Discovery is { } discovery)
        {
            text.AppendLine($"  discovery: every {discovery.Match}, TCP ports from {discovery.BasePort} " +
                $"({discovery.Template.Listeners[0]}), assignments kept in {discovery.StateFile}");
        }

        return text.ToString();
    }

    private static string ReadEmbeddedDefault()
    {
        using var stream = typeof(ServeCommand).Assembly.GetManifestResourceStream("concentrator.conf")
            ?? throw new InvalidOperationException("the embedded default config is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
