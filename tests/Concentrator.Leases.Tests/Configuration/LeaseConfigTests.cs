using Concentrator.Leases.Configuration;
using Concentrator.Ports.Configuration;

namespace Concentrator.Leases.Tests.Configuration;

public sealed class LeaseConfigTests
{
    private const string Port = """ports.demo { device = "sim:demo", listeners = [{ port = 7000 }], tags = ["board:rpi4"] }""";

    private static ConfigResult Load(string leases) => ConfigLoader.Load($"concentrator {{\n{Port}\n{leases}\n}}", "rack.conf", "/etc/concentrator",
        sections: [LeaseConfigSection.Instance]);

    private static ConfigError SingleError(string leases) => Assert.Single(Load(leases).Errors);

    [Fact]
    public void Without_a_leases_section_leases_go_to_leases_db_in_the_state_directory_with_the_default_limits()
    {
        var leases = Load("").Settings!.LeaseSettings();

        Assert.Equal(new LeaseStoreLocation(LeaseStoreKind.Sqlite, Path.Combine(StateDirectory.Resolve(), "leases.db")), leases.Store);
        Assert.DoesNotContain("/etc/concentrator", leases.Store.Target, StringComparison.Ordinal);
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromDays(1), 256, TimeSpan.FromSeconds(5)),
            (leases.MaxTtl, leases.MaxWait, leases.MaxWaiters, leases.RetryInterval));
    }

    [Fact]
    public void Every_key_is_read_and_a_relative_sqlite_path_is_relative_to_the_config_file()
    {
        var leases = Load("""leases { store = "sqlite:state/leases.db", max-ttl = 1d, max-wait = 30m, max-waiters = 10, retry-interval = 2s }""")
            .Settings!.LeaseSettings();

        Assert.Equal("/etc/concentrator/state/leases.db", leases.Store.Target);
        Assert.Equal((TimeSpan.FromDays(1), TimeSpan.FromMinutes(30), 10, TimeSpan.FromSeconds(2)),
            (leases.MaxTtl, leases.MaxWait, leases.MaxWaiters, leases.RetryInterval));
        Assert.Equal("/var/lib/leases.db", Load("""leases.store = "sqlite:/var/lib/leases.db" """).Settings!.LeaseSettings().Store.Target);
    }

    [Fact]
    public void A_postgresql_url_is_kept_and_printed_without_its_password()
    {
        var leases = Load("""leases.store = "postgresql://lease:pa%40ss@db.lab:5433/concentrator?sslmode=require" """).Settings!.LeaseSettings();

        Assert.Equal(LeaseStoreKind.PostgreSql, leases.Store.Kind);
        Assert.True(PostgresUrl.TryParse(leases.Store.Target, out var parts, out _));
        Assert.Equal(("db.lab", 5433, "concentrator", "lease", "pa@ss"), (parts.Host, parts.Port, parts.Database, parts.User, parts.Password));
        Assert.DoesNotContain("pa%40ss", leases.Store.ToString(), StringComparison.Ordinal);
        Assert.Equal(5432, PostgresUrl.TryParse("postgres://u@h/d", out var defaults, out _) ? defaults.Port : 0);
    }

    [Theory]
    [InlineData("""leases.store = "mysql://x" """, "concentrator.leases.store", "expected sqlite:FILE")]
    [InlineData("""leases.store = "sqlite:" """, "concentrator.leases.store", "expected sqlite:FILE")]
    [InlineData("""leases.store = "postgresql://u:secret@h" """, "concentrator.leases.store", "names no database")]
    [InlineData("""leases.store = "postgresql://h/db" """, "concentrator.leases.store", "names no user")]
    [InlineData("""leases.store = "postgresql://u:secret@h/db?sslmode=maybe" """, "concentrator.leases.store", "sslmode=maybe")]
    [InlineData("""leases.store = "postgresql://u:secret@h/db?pool=9" """, "concentrator.leases.store", "unknown URL parameter 'pool'")]
    [InlineData("""leases.max-ttl = 0s""", "concentrator.leases.max-ttl", "longer than 0s")]
    [InlineData("""leases.max-ttl = soon""", "concentrator.leases.max-ttl", "expected a duration")]
    [InlineData("""leases.max-waiters = 0""", "concentrator.leases.max-waiters", "from 1 to 100000")]
    [InlineData("""leases.retry-interval = 0s""", "concentrator.leases.retry-interval", "longer than 0s")]
    [InlineData("""leases = on""", "concentrator.leases", "must be an object")]
    public void A_bad_value_names_the_file_the_key_and_the_problem_and_never_shows_a_password(string leases, string key, string problem)
    {
        var error = SingleError(leases);

        Assert.Equal(("rack.conf", key), (error.File, error.Key));
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_gets_a_suggestion()
    {
        var error = SingleError("leases { stor = \"sqlite:x.db\" }");

        Assert.Equal("concentrator.leases.stor", error.Key);
        Assert.Contains("did you mean 'store'?", error.Problem, StringComparison.Ordinal);
        Assert.Contains("did you mean 'leases'?", SingleError("lease { }").Problem, StringComparison.Ordinal);
    }
}
