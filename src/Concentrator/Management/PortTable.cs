using System.Globalization;
using System.Text;
using Concentrator.Api.Leases;
using Concentrator.Api.Ports;
using Concentrator.Api.Sessions;

namespace Concentrator.Management;

/// <summary>The text tables of <c>concentrator ports</c> and <c>concentrator sessions</c>: one row each, columns padded.</summary>
internal static class PortTable
{
    /// <summary>One row per port; a NODE column first when any port has a node (a cluster: the API lists every node's ports).</summary>
    public static string Ports(IEnumerable<PortView> ports)
    {
        var list = ports.ToList();
        var clustered = list.Any(p => p.Node is not null);
        string[] header = ["NAME", "STATE", "DEVICE", "LINE", "SESSIONS", "TAGS"];
        var rows = list.Select(p => new[]
        {
            p.Name,
            p.State.ToString().ToLowerInvariant(),
            p.KernelNode is { } node && node != p.Device ? $"{p.Device} ({node})" : p.Device,
            p.Line.ToString(),
            p.Sessions.Count.ToString(CultureInfo.InvariantCulture),
            string.Join(",", p.Tags),
        });
        return clustered
            ? Table(["NODE", .. header], list.Zip(rows, (p, row) => new[] { p.Node ?? "-" }.Concat(row).ToArray()))
            : Table(header, rows);
    }

    public static string Sessions(IEnumerable<SessionView> sessions, DateTimeOffset now) => Table(
        ["ID", "PEER", "PRINCIPAL", "ROLE", "TRANSPORT", "CONNECTED", "IN", "OUT", "DROPPED", "TERMINAL"],
        sessions.Select(s => new[]
        {
            s.Id, s.Peer, s.Principal, s.Role, s.Transport, Ago(now - s.Since),
            s.BytesIn.ToString(CultureInfo.InvariantCulture), s.BytesOut.ToString(CultureInfo.InvariantCulture),
            s.Dropped.ToString(CultureInfo.InvariantCulture), s.Terminal ?? "-",
        }));

    public static string Leases(IEnumerable<LeaseView> leases) => Table(
        ["ID", "PORT", "HOLDER", "FOR-HOST", "EPOCH", "EXPIRES", "ENDPOINT"],
        leases.Select(l => new[]
        {
            l.Id, l.Port, l.Holder, l.ForHost ?? "-", l.Epoch.ToString(CultureInfo.InvariantCulture),
            l.Expires.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), l.Endpoint ?? "-",
        }));

    public static string Waiters(IEnumerable<LeaseWaiterView> waiters) => Table(
        ["WAITING-FOR", "HOLDER", "PRIORITY", "UNTIL"],
        waiters.Select(w => new[]
        {
            w.Target, w.Holder, w.Priority.ToString(CultureInfo.InvariantCulture),
            w.WaitsUntil.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }));

    private static string Ago(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{(int)t.TotalMinutes}m{t.Seconds:00}s";

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }
}
