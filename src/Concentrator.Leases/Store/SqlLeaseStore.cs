using System.Data;
using System.Data.Common;
using System.Net;
using Concentrator.Leases.Domain;

namespace Concentrator.Leases.Store;

/// <summary>
/// The lease store over ADO.NET, shared by <see cref="SqliteLeaseStore"/> and <see cref="PostgresLeaseStore"/>: the
/// schema, the writes and the loads are the same SQL; a subclass supplies connections, the few dialect differences and
/// the words for its errors.
/// </summary>
public abstract class SqlLeaseStore : ILeaseStore
{
    public abstract string Name { get; }

    /// <summary>The audit table's key column: an auto-incrementing 64-bit integer.</summary>
    protected abstract string AutoIncrementKey { get; }

    /// <summary>SQL for the larger of two values (SQLite's max(a, b), PostgreSQL's GREATEST).</summary>
    protected abstract string Greatest(string a, string b);

    /// <summary>A statement run first in the migration transaction so two daemons never migrate at once ("" when not needed).</summary>
    protected virtual string MigrationLock => "";

    /// <summary>SQL that creates the schema the tables live in, run under the migration lock; null: none.</summary>
    protected virtual string? CreateSchema => null;

    /// <summary>An open connection (kept or pooled by the subclass).</summary>
    protected abstract Task<DbConnection> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Gives back a connection from <see cref="ConnectAsync"/>; after a failure it must not be reused.</summary>
    protected abstract ValueTask ReturnAsync(DbConnection connection, bool failed);

    /// <summary>The error in an operator's words, naming the store.</summary>
    protected abstract LeaseStoreException Explain(Exception error, string doing);

    public abstract ValueTask DisposeAsync();

    public Task<StoredLeases> OpenAsync(DateTimeOffset forgetEndedBefore, CancellationToken cancellationToken) =>
        Run("opening", async (connection, transaction) =>
        {
            await MigrateAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "DELETE FROM leases WHERE ended_at_ms IS NOT NULL AND ended_at_ms < @cutoff",
                cancellationToken, ("cutoff", DbType.Int64, forgetEndedBefore.ToUnixTimeMilliseconds())).ConfigureAwait(false);
            var leases = await LoadLeasesAsync(connection, transaction, forgetEndedBefore, cancellationToken).ConfigureAwait(false);
            var epochs = await LoadEpochsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            return new StoredLeases(leases, epochs);
        }, cancellationToken);

    public Task WriteAsync(IReadOnlyList<LeaseChange> changes, CancellationToken cancellationToken) =>
        Run("writing", async (connection, transaction) =>
        {
            using var upsertLease = Command(connection, transaction, """
                INSERT INTO leases (id, port, holder, for_host, token, epoch, request_id, priority, endpoint, ttl_ms,
                                    granted_at_ms, expires_at_ms, ended_at_ms, end_reason, ended_by)
                VALUES (@id, @port, @holder, @for_host, @token, @epoch, @request_id, @priority, @endpoint, @ttl_ms,
                        @granted_at_ms, @expires_at_ms, @ended_at_ms, @end_reason, @ended_by)
                ON CONFLICT (id) DO UPDATE SET ttl_ms = excluded.ttl_ms, expires_at_ms = excluded.expires_at_ms,
                  ended_at_ms = excluded.ended_at_ms, end_reason = excluded.end_reason, ended_by = excluded.ended_by
                """);
            using var upsertEpoch = Command(connection, transaction,
                $"INSERT INTO lease_epochs (port, epoch) VALUES (@port, @epoch) " +
                $"ON CONFLICT (port) DO UPDATE SET epoch = {Greatest("lease_epochs.epoch", "excluded.epoch")}");
            using var audit = Command(connection, transaction, """
                INSERT INTO lease_audit (at_ms, event, lease_id, port, holder, by_whom, epoch, request_id, expires_at_ms, detail)
                VALUES (@at_ms, @event, @lease_id, @port, @holder, @by_whom, @epoch, @request_id, @expires_at_ms, @detail)
                """);
            foreach (var change in changes)
            {
                var l = change.Lease;
                Set(upsertLease, ("id", DbType.String, l.Id), ("port", DbType.String, l.Port), ("holder", DbType.String, l.Holder),
                    ("for_host", DbType.String, l.ForHost?.ToString()), ("token", DbType.String, l.Token), ("epoch", DbType.Int64, l.Epoch),
                    ("request_id", DbType.String, l.RequestId), ("priority", DbType.Int32, l.Priority), ("endpoint", DbType.String, l.Endpoint),
                    ("ttl_ms", DbType.Int64, (long)l.Ttl.TotalMilliseconds), ("granted_at_ms", DbType.Int64, l.Granted.ToUnixTimeMilliseconds()),
                    ("expires_at_ms", DbType.Int64, l.Expires.ToUnixTimeMilliseconds()),
                    ("ended_at_ms", DbType.Int64, change.Ends ? change.At.ToUnixTimeMilliseconds() : null),
                    ("end_reason", DbType.String, change.Ends ? EventName(change.Kind) : null), ("ended_by", DbType.String, change.Ends ? change.By : null));
                await upsertLease.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (change.Kind == LeaseEventKind.Granted)
                {
                    Set(upsertEpoch, ("port", DbType.String, l.Port), ("epoch", DbType.Int64, l.Epoch));
                    await upsertEpoch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                Set(audit, ("at_ms", DbType.Int64, change.At.ToUnixTimeMilliseconds()), ("event", DbType.String, EventName(change.Kind)),
                    ("lease_id", DbType.String, l.Id), ("port", DbType.String, l.Port), ("holder", DbType.String, l.Holder),
                    ("by_whom", DbType.String, change.By), ("epoch", DbType.Int64, l.Epoch), ("request_id", DbType.String, l.RequestId),
                    ("expires_at_ms", DbType.Int64, l.Expires.ToUnixTimeMilliseconds()), ("detail", DbType.String, change.Detail));
                await audit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<LeaseAuditEntry>> ReadAuditAsync(long afterSeq, int limit, CancellationToken cancellationToken) =>
        Run("reading the audit trail", async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, """
                SELECT seq, at_ms, event, lease_id, port, holder, by_whom, epoch, request_id, expires_at_ms, detail
                FROM lease_audit WHERE seq > @after ORDER BY seq LIMIT @limit
                """);
            Set(command, ("after", DbType.Int64, afterSeq), ("limit", DbType.Int32, limit));
            var entries = new List<LeaseAuditEntry>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new LeaseAuditEntry(reader.GetInt64(0), Time(reader.GetInt64(1)), ParseEvent(reader.GetString(2)),
                    reader.GetString(3), reader.GetString(4), reader.GetString(5), Text(reader, 6), reader.GetInt64(7), Text(reader, 8),
                    Time(reader.GetInt64(9)), Text(reader, 10)));
            }

            return (IReadOnlyList<LeaseAuditEntry>)entries;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction; any failure becomes a <see cref="LeaseStoreException"/>.</summary>
    private async Task<T> Run<T>(string doing, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        DbConnection? connection = null;
        var failed = false;
        try
        {
            connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception e) when (e is not LeaseStoreException and not OperationCanceledException)
        {
            failed = true;
            throw Explain(e, doing);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await ReturnAsync(connection, failed).ConfigureAwait(false);
            }
        }
    }

    private async Task MigrateAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (MigrationLock.Length > 0)
        {
            await ExecuteAsync(connection, transaction, MigrationLock, cancellationToken).ConfigureAwait(false);
        }

        if (CreateSchema is { } createSchema)
        {
            await ExecuteAsync(connection, transaction, createSchema, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS lease_schema (version INTEGER NOT NULL)", cancellationToken)
            .ConfigureAwait(false);
        using var read = Command(connection, transaction, "SELECT MAX(version) FROM lease_schema");
        var version = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } v and not DBNull ? Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (version > LeaseSchema.Latest)
        {
            throw new LeaseStoreException($"{Name}: the database has lease schema version {version}, newer than this daemon's " +
                $"({LeaseSchema.Latest}); it was written by a newer concentrator and is left untouched");
        }

        var migrations = LeaseSchema.Migrations(AutoIncrementKey);
        for (var n = version + 1; n <= migrations.Count; n++)
        {
            foreach (var statement in migrations[n - 1])
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }
        }

        // Always a write, also when nothing migrated: a read-only file or a lock held elsewhere shows up now, at start.
        await ExecuteAsync(connection, transaction, "DELETE FROM lease_schema", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "INSERT INTO lease_schema (version) VALUES (@version)", cancellationToken,
            ("version", DbType.Int32, LeaseSchema.Latest)).ConfigureAwait(false);
    }

    private static async Task<List<StoredLease>> LoadLeasesAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset since,
        CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, """
            SELECT id, port, holder, for_host, token, epoch, request_id, priority, endpoint, ttl_ms, granted_at_ms, expires_at_ms,
                   ended_at_ms, end_reason, ended_by
            FROM leases WHERE ended_at_ms IS NULL OR ended_at_ms >= @since
            """);
        Set(command, ("since", DbType.Int64, since.ToUnixTimeMilliseconds()));
        var leases = new List<StoredLease>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var lease = new Lease(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                Text(reader, 3) is { } host ? IPAddress.Parse(host) : null, reader.GetString(4), reader.GetInt64(5), Text(reader, 6),
                reader.GetInt32(7), TimeSpan.FromMilliseconds(reader.GetInt64(9)), Text(reader, 8), Time(reader.GetInt64(10)),
                Time(reader.GetInt64(11)), TimeSpan.Zero);
            leases.Add(reader.IsDBNull(12)
                ? new StoredLease(lease)
                : new StoredLease(lease, ParseEvent(reader.GetString(13)), Time(reader.GetInt64(12)), Text(reader, 14)));
        }

        return leases;
    }

    private static async Task<Dictionary<string, long>> LoadEpochsAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT port, epoch FROM lease_epochs");
        var epochs = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            epochs[reader.GetString(0)] = reader.GetInt64(1);
        }

        return epochs;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken,
        params (string Name, DbType Type, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        Set(command, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

#pragma warning disable CA2100 // the SQL is this class's own text; every value goes in as a parameter
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
#pragma warning restore CA2100

    /// <summary>Sets the command's parameters (creating them on first use, so one command serves a whole batch).</summary>
    private static void Set(DbCommand command, params (string Name, DbType Type, object? Value)[] parameters)
    {
        foreach (var (bare, type, value) in parameters)
        {
            var name = "@" + bare;
            DbParameter parameter;
            if (command.Parameters.Contains(name))
            {
                parameter = command.Parameters[name];
            }
            else
            {
                parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = type;
                command.Parameters.Add(parameter);
            }

            parameter.Value = value ?? DBNull.Value;
        }
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private static string EventName(LeaseEventKind kind) => kind.ToString().ToLowerInvariant();

    private static LeaseEventKind ParseEvent(string text) => Enum.Parse<LeaseEventKind>(text, ignoreCase: true);
}
