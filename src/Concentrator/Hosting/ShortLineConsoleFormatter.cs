using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Concentrator.Hosting;

/// <summary>
/// The daemon log for people: "12:00:00.123 info: port demo: online on ...", and an exception's full text indented
/// below its event. Unlike the simple console formatter it leaves out the category: our messages already name
/// their port or session, and an operator reads this with journalctl or docker logs.
/// </summary>
public sealed class ShortLineConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "short-line";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var time = DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        textWriter.Write($"{time} {Label(logEntry.LogLevel)}: {message}{Environment.NewLine}");
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write($"    {exception}{Environment.NewLine}");
        }
    }

    /// <summary>The level labels of Microsoft.Extensions.Logging's own console formatters.</summary>
    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
