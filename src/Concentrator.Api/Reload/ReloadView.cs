namespace Concentrator.Api.Reload;

/// <summary>What a reload changed, port by port; <see cref="Notes"/> lists what only a restart changes (the API's own address, discovery).</summary>
/// <param name="Added">Ports that started.</param>
/// <param name="Removed">Ports that closed (their sessions were told and disconnected).</param>
/// <param name="Changed">Ports reconfigured in place, each with the keys that changed, e.g. "lab (baud, banner)".</param>
/// <param name="Unchanged">Ports left exactly as they were.</param>
/// <param name="Notes">Changes the reload did not apply, and why.</param>
public sealed record ReloadView(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed,
    IReadOnlyList<string> Unchanged, IReadOnlyList<string> Notes)
{
    public override string ToString() =>
        $"{Added.Count} added{List(Added)}, {Removed.Count} removed{List(Removed)}, {Changed.Count} changed{List(Changed)}, {Unchanged.Count} unchanged";

    private static string List(IReadOnlyList<string> names) => names.Count == 0 ? "" : $" ({string.Join(", ", names)})";
}
