using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Concentrator.Hosting;

/// <summary>The daemon's one log pipeline: every event (the host's and, through <see cref="AkkaLogBridge"/>, Akka's) on stdout.</summary>
public static class DaemonLogging
{
    public static ILoggingBuilder AddDaemonConsole(this ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "O";
                o.UseUtcTimestamp = true;
                // Plain '+', '<' and quotes instead of \u002B escapes: still valid JSON, and grep finds what it shows.
                o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            logging.AddConsole(o => o.FormatterName = ShortLineConsoleFormatter.FormatterName)
                .AddConsoleFormatter<ShortLineConsoleFormatter, ConsoleFormatterOptions>();
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        return logging;
    }
}
