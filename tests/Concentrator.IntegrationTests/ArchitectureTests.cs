using System.Reflection;
using System.Xml.Linq;

namespace Concentrator.IntegrationTests;

/// <summary>
/// The layers of docs/architecture.md, kept true: a project may use only projects of lower layers (never one beside it
/// or above it), checked on what each project file declares and on what each built assembly really references. A
/// reference that goes the wrong way fails here, naming both ends and their layers.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Lower numbers are lower layers. The client is apart: it speaks to the server only over the wire.</summary>
    private static readonly Dictionary<string, (int Layer, string Name)> Layers = new(StringComparer.Ordinal)
    {
        ["Concentrator.Devices"] = (0, "devices and the telnet codec"),
        ["Concentrator.Telnet"] = (0, "devices and the telnet codec"),
        ["Concentrator.Ports"] = (1, "transport, security and ports"),
        ["Concentrator.Client"] = (1, "our clients (apart from the server)"),
        ["Concentrator.Leases"] = (2, "leases"),
        ["Concentrator.Cluster"] = (3, "the cluster"),
        ["Concentrator.Api"] = (4, "the HTTP API and the dashboard"),
        ["Concentrator.Web"] = (4, "the HTTP API and the dashboard"),
        ["Concentrator"] = (5, "the executable"),
    };

    /// <summary>Neither side of the wire links the other: the server never uses our clients' code, nor they the server's.</summary>
    private static readonly HashSet<(string From, string To)> Forbidden =
    [
        ("Concentrator.Client", "Concentrator.Ports"),
        ("Concentrator.Ports", "Concentrator.Client"),
    ];

    private static string RepoRoot => PackagingTests.RepoRoot;

    [Fact]
    public void Every_project_is_in_a_layer()
    {
        var projects = Directory.GetDirectories(Path.Combine(RepoRoot, "src")).Select(Path.GetFileName).OfType<string>()
            .Where(p => File.Exists(Path.Combine(RepoRoot, "src", p, p + ".csproj"))).ToList();
        Assert.NotEmpty(projects);
        Assert.All(projects, p => Assert.True(Layers.ContainsKey(p), $"src/{p} is in no layer: add it to ArchitectureTests and docs/architecture.md"));
    }

    [Fact]
    public void Project_references_only_go_down()
    {
        var wrong = new List<string>();
        foreach (var (project, _) in Layers)
        {
            var file = Path.Combine(RepoRoot, "src", project, project + ".csproj");
            var references = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string?)r.Attribute("Include") ?? ""));
            wrong.AddRange(references.Select(r => Problem(project, r)).OfType<string>());
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Built_assemblies_reference_only_lower_layers()
    {
        var wrong = new List<string>();
        foreach (var (project, _) in Layers)
        {
            var assembly = Assembly.Load(project == "Concentrator" ? "concentrator" : project);
            var references = assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").Where(Layers.ContainsKey);
            wrong.AddRange(references.Select(r => Problem(project, r)).OfType<string>());
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void A_reference_up_or_sideways_is_named()
    {
        Assert.Contains("references go down only", Problem("Concentrator.Ports", "Concentrator.Leases"), StringComparison.Ordinal);
        Assert.Contains("layer 4", Problem("Concentrator.Api", "Concentrator.Web"), StringComparison.Ordinal);
        Assert.NotNull(Problem("Concentrator.Devices", "Concentrator.Telnet"));
        Assert.Null(Problem("Concentrator.Cluster", "Concentrator.Leases"));
        Assert.Null(Problem("Concentrator", "Concentrator.Web"));
    }

    private static string? Problem(string from, string to)
    {
        to = to == "concentrator" ? "Concentrator" : to;
        if (!Layers.TryGetValue(to, out var target))
        {
            return null; // not ours
        }

        var source = Layers[from];
        return source.Layer <= target.Layer || Forbidden.Contains((from, to))
            ? $"{from} ({source.Name}, layer {source.Layer}) uses {to} ({target.Name}, layer {target.Layer}): references go down only"
            : null;
    }
}
