namespace Concentrator.IntegrationTests;

/// <summary>
/// Base of tests that start daemons, virtual devices and clients: everything tracked is disposed after the test,
/// newest first (clients before the daemon before the devices), whatever the outcome. Temp directories tracked first
/// (<see cref="Concentrator.Testing.TempDirectory"/>) go last.
/// </summary>
public abstract class IntegrationTest : IDisposable
{
    private readonly List<IDisposable> _cleanup = [];

    protected T Track<T>(T item) where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        // One failing cleanup must not leave the rest (daemons, devices, temp directories) behind.
        List<Exception>? errors = null;
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            try
            {
                _cleanup[i].Dispose();
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }

        _cleanup.Clear();
        if (errors is not null)
        {
            throw new AggregateException("test cleanup failed", errors);
        }
    }
}
