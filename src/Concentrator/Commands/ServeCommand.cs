using System.CommandLine;
using System.Text;
using Akka.Configuration;
using Akka.Hosting;
using Concentrator.Devices;
using Concentrator.Hosting;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Hosting;
using Concentrator.Ports.Listener;
using Concentrator.Ports.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator serve [--config FILE] [--check] [--log-format text|json]</c>: validate the config completely, bind
/// every listener, log the plan, then run the actor system until Ctrl-C / SIGTERM. Nothing binds unless the whole
/// config is valid.
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
        var logFormat = new WordOption<LogFormat>("--log-format",
            "The daemon log on stdout: text (one short line per event) or json (one JSON object per line)", "text",
            new Dictionary<string, LogFormat> { ["text"] = LogFormat.Text, ["json"] = LogFormat.Json });
        var command = new Command("serve",
            "Run the daemon: validate the whole config, bind every listener, serve until SIGINT/SIGTERM. " +
            "Nothing binds unless the whole config is valid.")
        {
            config, check, logFormat.Option,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(config), parse.GetValue(check), logFormat.GetValue(parse)));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, bool check, LogFormat logFormat)
    {
        var result = configPath is null
            ? ConfigLoader.Load(ReadEmbeddedDefault(), EmbeddedName, Environment.CurrentDirectory)
            : ConfigLoader.LoadFile(configPath);
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
        var warnings = SecurityAudit.Warnings(settings);
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
        try
        {
            listeners = ListenerBinder.BindAll(settings);
        }
        catch (ListenerBindException e)
        {
            Console.Error.WriteLine($"concentrator: {e.Message}; nothing was started");
            return ExitCodes.Failure;
        }

        using (listeners)
        {
            using var host = BuildHost(settings, listeners, result.Raw, logFormat);
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

    private static IHost BuildHost(ConcentratorSettings settings, ListenerBinder.BoundListeners listeners, Config? raw, LogFormat logFormat)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddDaemonConsole(logFormat);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        builder.Services.AddAkka("concentrator", (akka, _) =>
        {
            akka.AddHocon("akka.loglevel = INFO\nakka.log-dead-letters = off\nakka.log-dead-letters-during-shutdown = off",
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
            akka.AddConcentratorPorts(settings, listeners);
        });
        return builder.Build();
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
            var kind = SerialDeviceFactory.IsSimulated(port.Device) ? "simulated" : port.Backend.ToString().ToLowerInvariant() + " backend";
            text.AppendLine($"  port {port.Name}: {port.Device} ({kind}), {port.Line}");
            foreach (var listener in port.Listeners)
            {
                text.AppendLine($"    listening: {listener}");
            }
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
