using Concentrator.Api.Configuration;
using Concentrator.Cluster.Configuration;
using Concentrator.Leases.Configuration;
using Concentrator.Mdns;
using Concentrator.Ports.Audit;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Recording;

namespace Concentrator.Hosting;

/// <summary>
/// The sections of <c>concentrator { ... }</c> that features read themselves (<see cref="IConfigSection"/>), handed to
/// every load of the config: at start, at <c>serve --check</c> and at every reload. A feature that reads its own
/// section joins this list; the rest are still read by Concentrator.Ports' loader.
/// </summary>
public static class FeatureSections
{
    /// <summary>Every feature's section; <paramref name="witness"/> is <c>serve --witness</c> (this node only votes in its cluster).</summary>
    public static IReadOnlyList<IConfigSection> For(bool witness) =>
        [LeaseConfigSection.Instance, ApiConfigSection.Instance, new ClusterConfigSection(serveWitness: witness), MdnsConfigSection.Instance,
            RecordingsConfigSection.Instance, AuditConfigSection.Instance];

    /// <summary>Every feature's section for a node that is not told to be a witness.</summary>
    public static IReadOnlyList<IConfigSection> All { get; } = For(witness: false);
}
