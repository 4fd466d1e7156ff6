using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Concentrator.Leases.Configuration;
using Npgsql;

namespace Concentrator.Leases.Store;

/// <summary>
/// Leases in a PostgreSQL database (<c>store = "postgresql://user:pass@host:port/db"</c>): for a site that already
/// runs and backs up PostgreSQL, and for a cluster whose nodes share one database: each node keeps its tables in a
/// schema of its own (<c>?schema=NAME</c>, or its node name), because a node takes every lease it finds as one of its
/// ports' (and ends those of ports it does not have). Pooled connections; migrations take an advisory lock so two
/// daemons starting together never race.
/// </summary>
public sealed class PostgresLeaseStore : SqlLeaseStore
{
    /// <summary>Any constant shared by every concentrator: the advisory lock that serialises migrations.</summary>
    private const long MigrationLockKey = 0x436f6e63_4c656173; // "ConcLeas"

    private readonly string _connectionString;
    private readonly string _name;
    private readonly string? _schema;
    private NpgsqlDataSource? _source;

    /// <param name="url">postgresql://user:pass@host:port/db[?sslmode=..&amp;schema=..]</param>
    /// <param name="schema">The schema when the URL names none (a cluster node's name); null: the database's default.</param>
    public PostgresLeaseStore(string url, string? schema = null)
    {
        if (!PostgresUrl.TryParse(url, out var parts, out var problem))
        {
            throw new ArgumentException($"{PostgresUrl.WithoutPassword(url)}: {problem}", nameof(url));
        }

        _name = PostgresUrl.WithoutPassword(url);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parts.Host,
            Port = parts.Port,
            Database = parts.Database,
            Username = parts.User,
            Password = parts.Password,
            ApplicationName = "concentrator",
            Timeout = 5,
        };
        foreach (var (key, value) in parts.Query)
        {
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "schema":
                    schema = value;
                    break;
            }
        }

        if (schema is not null)
        {
            builder.SearchPath = schema;
            _schema = schema;
            _name += $" (schema {schema})";
        }

        _connectionString = builder.ConnectionString;
    }

    public override string Name => _name;

    protected override string AutoIncrementKey => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    protected override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    protected override string MigrationLock => $"SELECT pg_advisory_xact_lock({MigrationLockKey})";

    protected override string? CreateSchema => _schema is null ? null : $"CREATE SCHEMA IF NOT EXISTS \"{_schema}\"";

    protected override async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        _source ??= NpgsqlDataSource.Create(_connectionString);
        return await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask ReturnAsync(DbConnection connection, bool failed) => connection.DisposeAsync(); // back to the pool

    protected override LeaseStoreException Explain(Exception error, string doing)
    {
        var why = error switch
        {
            PostgresException pg when pg.SqlState == "28P01" => "wrong user name or password",
            PostgresException pg when pg.SqlState == "3D000" => "the database does not exist",
            PostgresException pg when pg.SqlState.StartsWith("42501", StringComparison.Ordinal) => "the user lacks a privilege on the lease tables",
            PostgresException pg when pg.SqlState == "25006" => "the server is read-only (a standby?)",
            PostgresException => "PostgreSQL error",
            NpgsqlException { InnerException: SocketException or TimeoutException } or SocketException or TimeoutException =>
                "the server cannot be reached",
            _ => "unexpected error",
        };
        return new LeaseStoreException($"{Name}: {doing} failed: {why} ({error.Message.TrimEnd('.')})", error);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync().ConfigureAwait(false);
            _source = null;
        }
    }
}
