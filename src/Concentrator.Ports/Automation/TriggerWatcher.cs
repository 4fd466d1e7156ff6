namespace Concentrator.Ports.Automation;

/// <summary>
/// Runs a port's <see cref="TriggerBook"/> over its <see cref="OutputCapture"/> on a pool task of its own: never on the
/// device reader's thread, never in the port's mailbox. It reads what is new in batches (a short pause after each wake
/// lets a burst arrive whole), and hands decisions to <c>decided</c> (the port, told). A watcher that falls a whole
/// capture behind skips what it lost (the book starts again after the gap) rather than slowing the port.
/// </summary>
public sealed class TriggerWatcher : IDisposable
{
    /// <summary>How long the watcher lets output gather after it wakes: fewer, larger scans.</summary>
    public static readonly TimeSpan Batch = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping; // the token, kept: it still reads as cancelled after the source is disposed
    private readonly Task _loop;

    /// <param name="capture">The port's output.</param>
    /// <param name="book">The triggers; only this watcher's task touches it.</param>
    /// <param name="from">The offset to watch from (the port's start: 0; a reload: now).</param>
    /// <param name="decided">Told each batch's decisions (any thread).</param>
    /// <param name="failed">Told if the watcher stops on an error.</param>
    /// <param name="time">The clock rate limits read (tests may step it).</param>
    public TriggerWatcher(OutputCapture capture, TriggerBook book, long from, Action<IReadOnlyList<TriggerDecision>> decided,
        Action<Exception> failed, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        _stopping = _stop.Token;
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[Math.Min(capture.Capacity, 256 * 1024)];
            var next = from;
            try
            {
                while (!_stopping.IsCancellationRequested)
                {
                    var (at, count) = capture.Read(next, buffer);
                    if (count == 0)
                    {
                        await capture.WaitBeyondAsync(next, _stopping).ConfigureAwait(false);
                        await Task.Delay(Batch, clock, _stopping).ConfigureAwait(false);
                        continue;
                    }

                    IReadOnlyList<TriggerDecision> decisions;
                    try
                    {
                        decisions = book.Feed(buffer.AsSpan(0, count), at, clock.GetUtcNow());
                    }
                    catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
                    {
                        // A window too slow to match (a loaded machine): skipped and said, the triggers go on.
                        failed(new TimeoutException($"output {at}..{at + count} skipped: pattern \"{e.Pattern}\" took longer than {e.MatchTimeout.TotalSeconds:0.#} s", e));
                        decisions = [];
                    }

                    next = at + count;
                    if (decisions.Count > 0)
                    {
                        decided(decisions);
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failed(e);
            }
        });
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
