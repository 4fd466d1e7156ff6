using Concentrator.Ports.Configuration;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Concentrator.Leases.Store;

/// <summary>
/// Leases in an SQLite file (the default, <c>store = "sqlite:leases.db"</c>). One connection, kept open and used by
/// one caller at a time. WAL journal with synchronous = FULL: a commit is on disk before a grant is answered, and
/// readers (an operator's sqlite3) never block the daemon. The file is created readable by its owner only: it holds
/// lease tokens.
/// </summary>
public sealed class SqliteLeaseStore(string path) : SqlLeaseStore
{
    /// <summary>How long a write waits for a lock held by another process before the store reports it locked.</summary>
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(2);

    private SqliteConnection? _connection;

    public override string Name => "sqlite:" + path;

    protected override string AutoIncrementKey => "INTEGER PRIMARY KEY AUTOINCREMENT";

    protected override string Greatest(string a, string b) => $"max({a}, {b})";

    protected override async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        CreateOwnerOnly();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // one long-lived connection; a pooled one could outlive a corrupt file we want to reopen
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            if (await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not "ok" and var result)
            {
                throw new LeaseStoreException($"{Name}: the database is corrupt (quick_check: {result}); " +
                    "move it aside (leases held in it are lost) or restore a backup");
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return _connection = connection;
    }

    /// <summary>Creates a missing file with mode 0600 before SQLite does (SQLite would use the umask); SQLite's -wal and -shm files copy it.</summary>
    private void CreateOwnerOnly()
    {
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                StateDirectory.Ensure(directory); // the default lives in the state directory, which may not exist yet
            }

            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // created by someone else in between: fine
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LeaseStoreException($"{Name}: cannot create the database file: {e.Message} " +
                "(does the directory exist, and may the daemon's user write in it?)", e);
        }
    }

    protected override async ValueTask ReturnAsync(DbConnection connection, bool failed)
    {
        if (failed && ReferenceEquals(connection, _connection))
        {
            _connection = null; // reopened from scratch next time: the file may have been replaced or repaired
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override LeaseStoreException Explain(Exception error, string doing)
    {
        var why = error is SqliteException sqlite
            ? (sqlite.SqliteErrorCode & 0xFF) switch
            {
                5 or 6 => "the database is locked by another process (another daemon on the same file?)",
                8 => "the database is read-only: the daemon's user cannot write the file or its directory" + WriteProbe(),
                11 or 26 => "the file is corrupt or is not an SQLite database; move it aside (leases held in it are lost) or restore a backup",
                13 => "the disk is full",
                14 => WriteProbe() is { Length: > 0 } probe
                    ? "the database is read-only here: SQLite needs to write the file and its -wal and -shm files next to it" + probe
                    : "the file cannot be opened: does its directory exist, and may the daemon's user write in it?",
                _ => "SQLite error",
            }
            : "unexpected error";
        return new LeaseStoreException($"{Name}: {doing} failed: {why} ({error.Message.TrimEnd('.')})", error);
    }

    /// <summary>"" when a file can be created next to the database; otherwise why not, in the system's words (e.g. "Read-only file system").</summary>
    private string WriteProbe()
    {
        var probe = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", $".{Path.GetFileName(path)}.probe-{Environment.ProcessId}");
        try
        {
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $" ({Path.GetDirectoryName(probe)}: {e.Message.TrimEnd('.')})";
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
