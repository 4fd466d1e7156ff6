using Concentrator.Ports.Configuration;

namespace Concentrator.Api.Reload;

/// <summary>Where the daemon's config came from and how to read it again (the file given to serve --config, or the embedded default).</summary>
/// <param name="Description">The file path or "&lt;embedded default&gt;", for messages.</param>
/// <param name="Load">Reads and validates the config afresh.</param>
public sealed record ConfigSource(string Description, Func<ConfigResult> Load);
