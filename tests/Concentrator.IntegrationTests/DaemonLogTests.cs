using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting.Logging;
using Concentrator.Hosting;
using Concentrator.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Concentrator.IntegrationTests;

/// <summary>The daemon log: one Microsoft.Extensions.Logging pipeline for host and Akka events, text or JSON.</summary>
public sealed class DaemonLogTests
{
    [Fact]
    public void Json_log_format_writes_one_json_object_per_line_on_stdout()
    {
        var tcp = FreeTcpPort.Next();
        using var daemon = DaemonProcess.Start($$"""
            concentrator.ports.jsonlog { device = "sim:echo", listeners = [ { port = {{tcp}}, protocol = raw } ] }
            """, "--log-format", "json");
        daemon.WaitOnline("jsonlog");
        Assert.Equal(0, daemon.Terminate());

        var events = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
        var online = Assert.Single(events, e => e.GetProperty("Message").GetString()!.StartsWith("port jsonlog: online on sim:echo", StringComparison.Ordinal));
        Assert.Equal("Information", online.GetProperty("LogLevel").GetString());
        Assert.Equal("Concentrator.Ports.Port.PortActor", online.GetProperty("Category").GetString());
        Assert.True(online.GetProperty("Timestamp").TryGetDateTimeOffset(out _));
        Assert.Contains(events, e => e.GetProperty("Message").GetString()!.Contains($"raw on 127.0.0.1:{tcp}", StringComparison.Ordinal));
        Assert.Contains(events, e => e.GetProperty("Message").GetString() == "concentrator: stopped");
    }

    [Fact]
    public void Akka_events_reach_the_logger_factory_as_their_bare_message_with_the_cause()
    {
        using var captured = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(captured));
        var config = ConfigurationFactory.ParseString($"akka.loggers = [\"{typeof(AkkaLogBridge).AssemblyQualifiedName}\"]");
        using var system = ActorSystem.Create("log-bridge", BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(factory)));

        system.Log.Error(new InvalidOperationException("the cause"), "port {0}: a child failed", "demo");

        var entry = captured.WaitFor(e => e.Level == LogLevel.Error, TimeSpan.FromSeconds(10));
        Assert.Equal("port demo: a child failed", entry.Message);
        Assert.Equal("the cause", entry.Exception?.Message);
    }

    [Fact]
    public void Text_format_is_one_short_line_with_the_exception_indented_below()
    {
        using var text = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Error, "Concentrator.Ports.Port.PortActor", default, "port demo: a child failed",
            new InvalidOperationException("the cause"), static (message, _) => message);

        new ShortLineConsoleFormatter().Write(entry, null, text);

        var lines = text.ToString().Split(Environment.NewLine);
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} fail: port demo: a child failed$", lines[0]);
        Assert.StartsWith("    System.InvalidOperationException: the cause", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("PortActor", text.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An ILoggerProvider that keeps every entry, for asserting on what reached Microsoft.Extensions.Logging.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public Entry WaitFor(Func<Entry, bool> match, TimeSpan timeout)
        {
            Entry? found = null;
            Eventually.True(() => (found = _entries.FirstOrDefault(match)) is not null, timeout,
                () => $"no matching log entry; got: {string.Join(" | ", _entries.Select(e => e.Message))}");
            return found!;
        }

        public void Dispose()
        {
        }

        public sealed record Entry(LogLevel Level, string Message, Exception? Exception);

        private sealed class Logger(ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(logLevel, formatter(state, exception), exception));
        }
    }
}
