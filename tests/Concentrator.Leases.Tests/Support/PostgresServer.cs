using Concentrator.Testing;
using Npgsql;

namespace Concentrator.Leases.Tests.Support;

/// <summary>
/// A real PostgreSQL server of our own for the test run: initdb into a temp directory (as the postgres user when we
/// are root: the server refuses to run as root), started on a free loopback port with its socket in that directory,
/// stopped and removed at the end. Each test gets a fresh database owned by a password-protected role, reached
/// through a postgresql:// URL over TCP with a password (scram-sha-256), as a user would configure it. Needs Debian's postgresql package (tools/test.sh installs it).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Role = "concentrator";
    private const string Password = "s3cret:with@odd/chars";
    private TempDirectory? _directory;
    private string _bin = "";
    private string _data = "";
    private string _sockets = "";
    private int _databases;

    public int Port { get; private set; }

    public Task InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault() ?? ""
            : "";
        if (_bin.Length == 0)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): run tools/test.sh, " +
                "which installs Debian's postgresql package, or apt-get install postgresql");
        }

        _directory = new TempDirectory("concentrator-pg-");
        _data = Path.Combine(_directory.FullName, "data");
        var sockets = _sockets = Path.Combine(_directory.FullName, "sock");
        Directory.CreateDirectory(sockets);
        if (Command.IsRoot)
        {
            Command.Run("chown", "-R", "postgres:postgres", _directory.FullName);
        }

        AsServerUser(Path.Combine(_bin, "initdb"), "-D", _data, "--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres", "--no-locale", "-E", "UTF8", "--no-sync");
        Port = FreeTcpPort.Next();
        AsServerUser(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", Path.Combine(_directory.FullName, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        Admin($"CREATE ROLE {Role} LOGIN PASSWORD '{Password}'");
        return Task.CompletedTask;
    }

    /// <summary>A new empty database and the URL to reach it (the password needs URL escaping: it has ':', '@' and '/').</summary>
    public string NewDatabaseUrl()
    {
        var name = $"leases_{Interlocked.Increment(ref _databases)}";
        Admin($"CREATE DATABASE {name} OWNER {Role}");
        return $"postgresql://{Role}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{name}";
    }

    /// <summary>Runs SQL as the superuser in <paramref name="database"/> (through the server's socket: trusted, no password).</summary>
    public void Admin(string sql, string database = "postgres")
    {
        using var connection = new NpgsqlConnection($"Host={_sockets};Port={Port};Username=postgres;Database={database};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // test SQL
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    public Task DisposeAsync()
    {
        try
        {
            if (_data.Length > 0 && File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                AsServerUser(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            _directory?.Dispose();
        }

        return Task.CompletedTask;
    }

    private static void AsServerUser(string program, params string[] arguments)
    {
        if (Command.IsRoot)
        {
            Command.Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Command.Run(program, arguments);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
