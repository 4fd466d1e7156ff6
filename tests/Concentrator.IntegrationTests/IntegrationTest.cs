namespace Concentrator.IntegrationTests;

/// <summary>
/// Base of tests that start daemons, virtual devices and clients: everything tracked is disposed after the test,
/// newest first (clients before the daemon before the devices), whatever the outcome.
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

        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        _cleanup.Clear();
    }
}
