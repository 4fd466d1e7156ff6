using Akka.Actor;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Concentrator.Hosting;

/// <summary>
/// Akka's log events into the host's ILoggerFactory, as Akka.Hosting's <see cref="LoggerFactoryLogger"/> does, but
/// with the message text alone: the stock bridge logs LogEvent.ToString(), which puts
/// "[INFO][12/01/2026 00:00:32.129Z][Thread 0008][akka://concentrator/user/...]" before every message, a second
/// time and level next to the ones our formatters write. The category is the class that logged (e.g.
/// Concentrator.Ports.Port.PortActor), so JSON readers can still filter by source.
/// </summary>
public sealed class AkkaLogBridge : LoggerFactoryLogger
{
    private readonly ILoggerFactory _loggerFactory;

    public AkkaLogBridge()
    {
        // The base constructor has already failed with a clear message if the setup is missing.
        _loggerFactory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value.LoggerFactory;
    }

    protected override void Log(LogEvent log, ActorPath path)
    {
        var category = log.LogClass is { } type && type != typeof(DummyClassForStringSources) ? type.FullName : null;
        var logger = _loggerFactory.CreateLogger(category ?? log.LogSource);
        var message = log.Message?.ToString() ?? "";
        logger.Log(ToLevel(log.LogLevel()), default, message, log.Cause, static (text, _) => text);
    }

    private static LogLevel ToLevel(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
