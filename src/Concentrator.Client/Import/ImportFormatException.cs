namespace Concentrator.Client.Import;

/// <summary>
/// A conserver.cf or conman.conf whose syntax cannot be read at all: nothing is imported, so no half-converted config
/// reaches a daemon. The message names the line.
/// </summary>
public sealed class ImportFormatException(string message) : FormatException(message);
