using System.Diagnostics;

namespace Concentrator.Bench;

/// <summary>
/// A management client polling GET /api/ports at a fixed rate (a dashboard or a scheduler), on its own thread,
/// until disposed; counts the answers so the bench can say the polling really happened.
/// </summary>
internal sealed class ApiPoller : IDisposable
{
    private readonly HttpClient _http;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _interval;
    private bool _disposed;

    public ApiPoller(int apiPort, int perSecond)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(5) };
        _interval = TimeSpan.FromSeconds(1.0 / perSecond);
        _thread = new Thread(Run) { IsBackground = true, Name = "api-poller" };
        _thread.Start();
    }

    public int Answered { get; private set; }

    public int Failed { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    private void Run()
    {
        var started = Stopwatch.GetTimestamp();
        var next = started;
        var tick = (long)(_interval.TotalSeconds * Stopwatch.Frequency);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = _http.GetAsync("/api/ports", _stop.Token).GetAwaiter().GetResult();
                _ = response.Content.ReadAsStringAsync(_stop.Token).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    Answered++;
                }
                else
                {
                    Failed++;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
            {
                if (!_stop.IsCancellationRequested)
                {
                    Failed++;
                }
            }

            next += tick;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                _stop.Token.WaitHandle.WaitOne(wait);
            }
        }

        Elapsed = Stopwatch.GetElapsedTime(started);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _thread.Join();
        _http.Dispose();
        _stop.Dispose();
    }
}
