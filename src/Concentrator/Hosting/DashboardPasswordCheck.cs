using System.Net;
using Concentrator.Ports.Security;
using Microsoft.Extensions.Logging;

namespace Concentrator.Hosting;

/// <summary>
/// The dashboard's user name + password check: the users file and the bcrypt check the password listeners use
/// (<see cref="UserDirectory.VerifyAsync"/>: an unknown user costs what a wrong password does), and the same per-source
/// failed-login count (<see cref="SourceLimiter"/>, security.login-attempts per minute), so guesses spread over the
/// dashboard and the telnet listeners add up. A blocked source is not checked at all. Logs name the user, never the password.
/// </summary>
public static partial class DashboardPasswordCheck
{
    /// <summary>How a check ended.</summary>
    public enum Outcome { SignedIn, Wrong, Blocked }

    /// <summary>Checks <paramref name="user"/>'s <paramref name="password"/>, as sent from <paramref name="source"/>; the account when it holds.</summary>
    public static async Task<(Outcome Outcome, UserAccount? Account)> CheckAsync(DaemonSecurity security, IPAddress? source, string user, string password,
        ILogger log)
    {
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(log);
        var from = source ?? IPAddress.None;
        if (security.Limiter.IsLoginBlocked(from, out var blocked))
        {
            if (security.Refusals.ShouldLog(from, "login-blocked", out var suppressed))
            {
                LogBlocked(log, from, blocked!, security.Refusals.Summary(suppressed));
                security.Audit.Record("login", Printable(user), from, null, "blocked", ("via", "dashboard"), ("reason", blocked));
            }

            return (Outcome.Blocked, null);
        }

        var users = security.Settings.Users;
        if (await users.VerifyAsync(user, password).ConfigureAwait(false) is { } account)
        {
            LogSignedIn(log, account.Name, from);
            security.Audit.Record("login", account.Name, from, null, "ok", ("via", "dashboard"));
            return (Outcome.SignedIn, account);
        }

        security.Limiter.LoginFailed(from);
        if (security.Refusals.ShouldLog(from, "login", out var skipped))
        {
            LogFailed(log, Printable(user), from, users.Find(user) is null ? "unknown user" : "wrong password", security.Refusals.Summary(skipped));
            security.Audit.Record("login", Printable(user), from, null, "failed", ("via", "dashboard"),
                ("suppressed", skipped > 0 ? skipped.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
        }

        return (Outcome.Wrong, null);
    }

    /// <summary>A user name as the log shows it: printable, bounded (whatever a client typed).</summary>
    private static string Printable(string text)
    {
        var shown = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? shown + "..." : shown;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard: {User} signed in with a password from {Source}")]
    private static partial void LogSignedIn(ILogger logger, string user, IPAddress source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard: login failed for '{User}' from {Source} ({Why}){Suppressed}")]
    private static partial void LogFailed(ILogger logger, string user, IPAddress source, string why, string suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard: login from {Source} refused unchecked: {Reason}{Suppressed}")]
    private static partial void LogBlocked(ILogger logger, IPAddress source, string reason, string suppressed);
}
