namespace Concentrator.Client.Import;

/// <summary>The HOCON produced from a ser2net config and every problem met on the way.</summary>
/// <param name="Hocon">A complete <c>concentrator { ports { ... } }</c> config.</param>
/// <param name="Warnings">Options and lines that could not be mapped (nothing is dropped silently).</param>
/// <param name="PortCount">How many ports were imported as enabled.</param>
public sealed record ImportResult(string Hocon, IReadOnlyList<string> Warnings, int PortCount);
