using Concentrator.Api.Configuration;

namespace Concentrator.Api.Entry;

/// <summary>
/// The <c>concentrator.api</c> settings in force at the HTTP entry point: its source filter, trusted proxies, whether
/// anonymous loopback callers may read, and its certificate. A reload replaces them as a whole (one volatile
/// reference), for new connections and requests; the listen address and HTTP versus HTTPS stay until a restart.
/// </summary>
public sealed class HttpEntry(ApiSettings settings)
{
    private volatile ApiSettings _settings = settings;

    public ApiSettings Settings => _settings;

    public void Apply(ApiSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }
}
