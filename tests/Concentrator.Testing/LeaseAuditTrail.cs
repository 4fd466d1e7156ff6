using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Concentrator.Testing;

/// <summary>One row of a daemon's lease audit trail (table <c>lease_audit</c> of its SQLite lease store).</summary>
public sealed record LeaseAuditRow(long Seq, DateTimeOffset At, string Event, string LeaseId, string Port, long Epoch);

/// <summary>
/// Reads a lease store's audit trail straight from its SQLite file (read-only, so a running daemon's WAL file is fine)
/// and checks it for double grants: on each port, a grant while an earlier lease had not ended, or an epoch not above
/// the one before. Only the owner of a port grants it, so each port's whole history is in one file.
/// </summary>
public static class LeaseAuditTrail
{
    public static IReadOnlyList<LeaseAuditRow> Read(string sqlitePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = sqlitePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, at_ms, event, lease_id, port, epoch FROM lease_audit ORDER BY seq";
        using var reader = command.ExecuteReader();
        var rows = new List<LeaseAuditRow>();
        while (reader.Read())
        {
            rows.Add(new LeaseAuditRow(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetInt64(5)));
        }

        return rows;
    }

    /// <summary>Grant events in the trail.</summary>
    public static int Grants(IEnumerable<LeaseAuditRow> rows) => rows.Count(r => r.Event == "granted");

    /// <summary>
    /// Every double grant in <paramref name="rows"/> (the trails of all owners may be concatenated: ports are unique), in
    /// words; empty when none. A lease lasts from its grant to its first released / expired / revoked row (open when none).
    /// </summary>
    public static IReadOnlyList<string> DoubleGrants(IEnumerable<LeaseAuditRow> rows)
    {
        var problems = new List<string>();
        foreach (var port in rows.GroupBy(r => r.Port, StringComparer.Ordinal))
        {
            var ordered = port.OrderBy(r => r.Seq).ToList();
            var grants = ordered.Where(r => r.Event == "granted").ToList();
            for (var i = 1; i < grants.Count; i++)
            {
                var previous = grants[i - 1];
                var next = grants[i];
                if (next.Epoch <= previous.Epoch)
                {
                    problems.Add($"port {port.Key}: lease {next.LeaseId} granted with epoch {next.Epoch}, not above lease {previous.LeaseId}'s {previous.Epoch}");
                }

                // Every earlier lease must have ended by this grant.
                foreach (var earlier in grants.Take(i))
                {
                    var end = ordered.FirstOrDefault(r => r.LeaseId == earlier.LeaseId && r.Event is "released" or "expired" or "revoked");
                    if (end is null || end.At > next.At || end.Seq > next.Seq)
                    {
                        problems.Add($"port {port.Key}: lease {next.LeaseId} (epoch {next.Epoch}) granted at {Time(next.At)} while lease " +
                            $"{earlier.LeaseId} (epoch {earlier.Epoch}) {(end is null ? "never ended" : "ended only at " + Time(end.At))}");
                    }
                }
            }
        }

        return problems;
    }

    private static string Time(DateTimeOffset at) => at.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
