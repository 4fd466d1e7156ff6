namespace Concentrator.Leases.Configuration;

/// <summary>
/// The <c>postgresql://user:pass@host:port/db?sslmode=require</c> form of a PostgreSQL address, checked here so a bad
/// URL is a config error; the lease store turns it into a driver connection string.
/// </summary>
public static class PostgresUrl
{
    /// <summary>Query parameters the URL may carry (libpq's names).</summary>
    public static readonly IReadOnlyList<string> QueryKeys = ["sslmode", "connect_timeout", "application_name", "schema"];

    /// <summary>libpq's sslmode values.</summary>
    public static readonly IReadOnlyList<string> SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>The URL's parts, or the first thing wrong with it.</summary>
    public static bool TryParse(string text, out Parts parts, out string problem)
    {
        parts = default!;
        problem = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            problem = "expected postgresql://user:pass@host:port/database";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            problem = "the URL names no host";
            return false;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/'))
        {
            problem = "the URL names no database (postgresql://user:pass@host:port/DATABASE)";
            return false;
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(userInfo[0]);
        if (user.Length == 0)
        {
            problem = "the URL names no user (postgresql://USER:pass@host/db)";
            return false;
        }

        var query = new List<KeyValuePair<string, string>>();
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            if (!QueryKeys.Contains(key))
            {
                problem = $"unknown URL parameter '{key}' (expected {string.Join(", ", QueryKeys)})";
                return false;
            }

            if (key == "sslmode" && !SslModes.Contains(value))
            {
                problem = $"sslmode={value}: expected {string.Join(" | ", SslModes)}";
                return false;
            }

            if (key == "connect_timeout" && (!int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 1))
            {
                problem = $"connect_timeout={value}: expected whole seconds from 1";
                return false;
            }

            if (key == "schema" && !IsSchemaName(value))
            {
                problem = $"schema={value}: expected a lower-case name of letters, digits and _ (e.g. rack_a)";
                return false;
            }

            query.Add(new(key, value));
        }

        parts = new Parts(uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, database, user,
            userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null, query);
        return true;
    }

    /// <summary>A schema name we create and put on the search path without quoting surprises: [a-z_][a-z0-9_]*, at most 63.</summary>
    public static bool IsSchemaName(string name) =>
        name.Length is > 0 and <= 63 && (name[0] is >= 'a' and <= 'z' or '_') && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_');

    /// <summary>A node name made into a schema name: lower case, anything else as _ (rack-a → rack_a).</summary>
    public static string SchemaNameOf(string nodeName)
    {
        var name = new string([.. nodeName.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_')]);
        name = name.Length > 0 && name[0] is >= '0' and <= '9' ? "_" + name : name;
        return name.Length == 0 ? "_" : name[..Math.Min(name.Length, 63)];
    }

    /// <summary>The URL with its password replaced by ***, for logs and error messages.</summary>
    public static string WithoutPassword(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return text;
        }

        return new UriBuilder(uri) { Password = "***" }.Uri.ToString();
    }

    /// <summary>A parsed URL.</summary>
    public sealed record Parts(string Host, int Port, string Database, string User, string? Password,
        IReadOnlyList<KeyValuePair<string, string>> Query);
}
