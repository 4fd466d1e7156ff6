using Concentrator.Api.Configuration;
using Concentrator.Cluster.Configuration;
using Concentrator.Api.Auth;
using Concentrator.Api.Entry;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Management;
using Concentrator.Ports.Security;
using Microsoft.Extensions.Logging;
using ReloadMessage = Concentrator.Ports.Management.Reload;
using Reloaded = Concentrator.Ports.Management.Reloaded;
using ReloadFailed = Concentrator.Ports.Management.ReloadFailed;

namespace Concentrator.Api.Reload;

/// <summary>What became of a reload.</summary>
public abstract record ReloadOutcome;

/// <summary>Applied: what changed.</summary>
public sealed record ReloadApplied(ReloadView Changes) : ReloadOutcome;

/// <summary>The new config is not valid (or its tokens file is not usable); nothing changed.</summary>
public sealed record ReloadInvalid(IReadOnlyList<string> Problems) : ReloadOutcome;

/// <summary>The config is valid but could not be applied (e.g. a new listener's address is in use); nothing changed.</summary>
public sealed record ReloadRefused(IReadOnlyList<string> Problems) : ReloadOutcome;

/// <summary>The ports supervisor did not answer in time.</summary>
public sealed record ReloadUnanswered(string Detail) : ReloadOutcome;

/// <summary>
/// Re-reads the config the daemon was started with, validates all of it (and the API tokens file), then hands it
/// to the ports supervisor, which applies it in place. One reload at a time (POST /api/reload, SIGHUP and
/// `concentrator reload` may race); the others wait their turn without holding a thread.
/// </summary>
public sealed partial class ConfigReloader(ConfigSource source, ConcentratorSettings started, PortsGateway supervisor, ApiAccess access,
    HttpEntry entry, ILogger<ConfigReloader> log, DaemonSecurity? security = null) : IDisposable
{
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<ReloadOutcome> ReloadAsync(string by, CancellationToken cancel)
    {
        await _oneAtATime.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var outcome = await ReloadOnceAsync(by, cancel).ConfigureAwait(false);
            security?.Audit.Record("reload", by, null, null, outcome switch
            {
                ReloadApplied => "ok",
                ReloadInvalid => "invalid",
                ReloadRefused => "refused",
                _ => "unanswered",
            }, ("config", source.Description));
            if (outcome is ReloadInvalid invalid)
            {
                LogInvalid(log, by, source.Description, string.Join("; ", invalid.Problems));
            }

            return outcome;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<ReloadOutcome> ReloadOnceAsync(string by, CancellationToken cancel)
    {
        var result = await Task.Run(source.Load, cancel).ConfigureAwait(false); // file I/O off the caller's thread
        if (!result.IsValid)
        {
            return new ReloadInvalid([.. result.Errors.Select(e => e.ToString())]);
        }

        var settings = result.Settings!;
        IReadOnlyList<ApiToken> tokens = [];
        if (settings.ApiSettings() is { Enabled: true, TokensFile: { } tokensFile })
        {
            var (loaded, problems) = TokenFile.Load(tokensFile);
            if (problems.Count > 0)
            {
                return new ReloadInvalid(problems);
            }

            tokens = loaded;
        }

        var answer = await supervisor.AskAsync(new ReloadMessage(settings, by), cancel, ApplyTimeout).ConfigureAwait(false);
        switch (answer)
        {
            case Reloaded r:
                access.Replace(tokens, settings.ApiSettings().AllowAnonymousActions);
                entry.Apply(settings.ApiSettings()); // allow/deny, trusted proxies, anonymous reads, a renewed certificate
                return new ReloadApplied(new ReloadView(r.Added, r.Removed, r.Changed, r.Unchanged, NeedRestart(settings)));
            case ReloadFailed failed:
                return new ReloadRefused(failed.Problems);
            default:
                return new ReloadUnanswered(PortsGateway.NoAnswer(ApplyTimeout));
        }
    }

    /// <summary>Changes a reload cannot make while the daemon runs: the API's own listener (address, HTTP or HTTPS), discovery and cluster membership.</summary>
    private List<string> NeedRestart(ConcentratorSettings next)
    {
        var notes = new List<string>();
        var (was, now) = (started.ApiSettings(), next.ApiSettings());
        if (was.Enabled != now.Enabled || !was.EndPoint.Equals(now.EndPoint))
        {
            notes.Add($"concentrator.api is now {(now.Enabled ? now.Url : "off")} but stays {(was.Enabled ? was.Url : "off")} until a restart");
        }

        if (now.Enabled && (was.Tls is null) != (now.Tls is null))
        {
            notes.Add($"concentrator.api.tls is now {(now.Tls is null ? "off" : "on")} but the API stays {(was.Tls is null ? "HTTP" : "HTTPS")} until a restart");
        }

        if (!SameDiscovery(started.Discovery, next.Discovery))
        {
            notes.Add("concentrator.discovery changed: discovery keeps its old settings until a restart");
        }

        if (!SameCluster(started.ClusterSettings(), next.ClusterSettings()))
        {
            notes.Add("concentrator.cluster changed: this node keeps its cluster name, address, seeds and role until a restart");
        }

        return notes;
    }

    private static bool SameCluster(ClusterSettings? a, ClusterSettings? b) =>
        a is null ? b is null
            : b is not null && a with { Seeds = [], Tls = null } == b with { Seeds = [], Tls = null } && a.Seeds.SequenceEqual(b.Seeds) &&
              a.Tls == b.Tls;

    private static bool SameDiscovery(DiscoverySettings? a, DiscoverySettings? b) =>
        a is null ? b is null
            : b is not null && a.Match == b.Match && a.BasePort == b.BasePort && a.StateFile == b.StateFile && a.Template.SameAs(b.Template);

    public void Dispose() => _oneAtATime.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "reload by {By} refused, nothing changed: {Source} is not valid: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string by, string source, string problems);
}
