using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Automation;

/// <summary>
/// A real HTTP receiver on loopback for trigger webhooks: records every JSON body it accepts, in arrival order, and
/// answers the first <c>failFirst</c> requests 503 (to prove retries).
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<JsonElement> _accepted = new();
    private int _failuresLeft;
    private int _requests;

    public WebhookReceiver(int failFirst = 0)
    {
        _failuresLeft = failFirst;
        Url = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}/hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<JsonElement> Accepted => [.. _accepted];

    /// <summary>Waits until a body for <paramref name="trigger"/> has been accepted; returns every body accepted so far.</summary>
    public IReadOnlyList<JsonElement> WaitFor(string trigger, string state = "raised")
    {
        Eventually.True(() => Accepted.Any(b => b.GetProperty("trigger").GetString() == trigger && b.GetProperty("state").GetString() == state),
            TimeSpan.FromSeconds(20), () => $"no {state} webhook for {trigger}; got: {string.Join(", ", Accepted.Select(b => b.GetRawText()))}");
        return Accepted;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                context.Response.StatusCode = 503;
            }
            else
            {
                _accepted.Enqueue(JsonDocument.Parse(body).RootElement.Clone());
                context.Response.StatusCode = 204;
            }

            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
