using System.Globalization;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Concentrator.Hosting;

/// <summary>
/// The daemon's log on standard output, one short line per event: "12:00:00.123 INFO  port demo: online ...".
/// An operator reads it with journalctl or docker logs; the actor path and thread of Akka's default format
/// add nothing there.
/// </summary>
public sealed class ConsoleLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static readonly Lock Gate = new();

    public ConsoleLogger()
    {
        Receive<Debug>(e => Write("DEBUG", e));
        Receive<Info>(e => Write("INFO ", e));
        Receive<Warning>(e => Write("WARN ", e));
        Receive<Error>(e => Write("ERROR", e));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }

    private static void Write(string level, LogEvent e)
    {
        var time = e.Timestamp.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var line = $"{time} {level} {e.Message}";
        if (e.Cause is { } cause && e is Error)
        {
            line += Environment.NewLine + "    " + cause;
        }

        lock (Gate)
        {
            Console.Out.WriteLine(line);
        }
    }
}
