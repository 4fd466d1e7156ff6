using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;

namespace Concentrator.Ports.Automation;

/// <summary>
/// The slow actions of a port's triggers, off the port's mailbox and the data plane: webhooks (JSON POST, retried with
/// backoff, from a bounded queue whose oldest call is dropped when a receiver cannot keep up) and commands (argv, no
/// shell, a timeout, their output logged, a few at a time). A failing or slow receiver delays only other webhooks.
/// </summary>
public sealed class TriggerActions : IDisposable
{
    public const int QueueLimit = 256;

    public const int MaxCommandsRunning = 4;

    public const int Attempts = 4;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly string _port;
    private readonly Action<string> _log;
    private readonly Channel<(Uri Url, byte[] Body, string What)> _webhooks;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping; // the token, kept: it still reads as cancelled after the source is disposed
    private readonly TimeSpan _firstBackoff;
    private int _commandsRunning;

    /// <param name="port">The port's name (webhook bodies, command environment).</param>
    /// <param name="log">Where outcomes are told (the port's log); any thread.</param>
    /// <param name="firstBackoff">The wait before a failed webhook's first retry; it doubles each time.</param>
    public TriggerActions(string port, Action<string> log, TimeSpan? firstBackoff = null)
    {
        _port = port;
        _log = log;
        _stopping = _stop.Token;
        _firstBackoff = firstBackoff ?? TimeSpan.FromMilliseconds(500);
        _webhooks = Channel.CreateBounded<(Uri, byte[], string)>(new BoundedChannelOptions(QueueLimit)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, dropped => log($"trigger {dropped.Item3}: webhook to {Shown(dropped.Item1)} dropped: {QueueLimit} calls were waiting"));
        _ = Task.Run(DeliverAsync);
    }

    /// <summary>The webhook body of interface.md: port, trigger, state, match, start, end, time.</summary>
    public static byte[] WebhookBody(string port, TriggerDecision decision)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("port", port);
            json.WriteString("trigger", decision.Trigger);
            json.WriteString("state", decision.Event == TriggerEvent.Cleared ? "cleared" : "raised");
            json.WriteString("match", decision.Match);
            json.WriteNumber("start", decision.Start);
            json.WriteNumber("end", decision.End);
            json.WriteString("time", decision.Time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Queues a webhook call; never waits.</summary>
    public void Webhook(Uri url, TriggerDecision decision) =>
        _webhooks.Writer.TryWrite((url, WebhookBody(_port, decision), decision.Trigger));

    /// <summary>Starts the command unless too many of this port's are still running; never waits.</summary>
    public void Command(IReadOnlyList<string> argv, TriggerDecision decision)
    {
        if (Interlocked.Increment(ref _commandsRunning) > MaxCommandsRunning)
        {
            Interlocked.Decrement(ref _commandsRunning);
            _log($"trigger {decision.Trigger}: command {argv[0]} not started: {MaxCommandsRunning} are still running");
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync(argv, decision).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _commandsRunning);
            }
        });
    }

    private async Task RunAsync(IReadOnlyList<string> argv, TriggerDecision decision)
    {
        var environment = new Dictionary<string, string>
        {
            ["CONCENTRATOR_PORT"] = _port,
            ["CONCENTRATOR_TRIGGER"] = decision.Trigger,
            ["CONCENTRATOR_STATE"] = decision.Event == TriggerEvent.Cleared ? "cleared" : "raised",
            ["CONCENTRATOR_MATCH"] = decision.Match,
        };
        // The same bounded runner as power commands: no shell, output capped, killed with its children at the timeout.
        var outcome = await Power.PowerRunner.RunAsync(argv, TriggerSettings.CommandTimeout, environment).ConfigureAwait(false);
        var output = Clip(outcome.Output);
        _log($"trigger {decision.Trigger}: command {argv[0]} {(outcome.Ok ? "exited 0" : "failed")}{(output.Length > 0 ? ": " + output : "")}");
    }

    /// <summary>A webhook URL for the log: no user info, no query (either may carry a secret).</summary>
    public static string Shown(Uri url) => $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";

    private static string Clip(string text)
    {
        text = text.Trim();
        return text.Length <= 2000 ? text : text[..2000] + " ...";
    }

    private async Task DeliverAsync()
    {
        try
        {
            await foreach (var (url, body, trigger) in _webhooks.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
            {
                var backoff = _firstBackoff;
                for (var attempt = 1; ; attempt++)
                {
                    var problem = await PostAsync(url, body).ConfigureAwait(false);
                    if (problem is null)
                    {
                        break;
                    }

                    if (attempt == Attempts)
                    {
                        _log($"trigger {trigger}: webhook to {Shown(url)} failed {Attempts} times, given up: {problem}");
                        break;
                    }

                    await Task.Delay(backoff, _stopping).ConfigureAwait(false);
                    backoff *= 2;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Null when the receiver took it (2xx), else why not.</summary>
    private async Task<string?> PostAsync(Uri url, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await Http.PostAsync(url, content, _stopping).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (TaskCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return $"no answer within {Http.Timeout.TotalSeconds:0} s";
        }
    }

    public void Dispose()
    {
        _webhooks.Writer.TryComplete();
        _stop.Cancel();
        _stop.Dispose();
    }
}
