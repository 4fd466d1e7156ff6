namespace Concentrator.Hosting;

/// <summary>
/// What a dashboard session was opened with: never the credential itself, only what lets each request check it is
/// still good (see <see cref="ApiTokenDashboardAuthorizer"/>).
/// </summary>
public abstract record DashboardSignIn;

/// <summary>An API token, by its hash: the session ends when the token leaves the tokens file.</summary>
public sealed record TokenSignIn(string TokenHash) : DashboardSignIn;

/// <summary>
/// A users-file login, with the account's bcrypt hash at sign-in: the session ends when the user leaves the users
/// file or gets a new password (a reload), as a token's does.
/// </summary>
public sealed record UserSignIn(string Name, string PasswordHash) : DashboardSignIn
{
    /// <summary>Name only: the hash never goes to a log.</summary>
    public override string ToString() => $"user {Name}";
}
