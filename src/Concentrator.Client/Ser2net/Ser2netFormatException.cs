using System.Globalization;

namespace Concentrator.Client.Ser2net;

/// <summary>
/// A ser2net config that cannot be read at all (broken YAML): nothing is imported, so no half-converted config
/// reaches a daemon. The message names the file, line and column.
/// </summary>
public sealed class Ser2netFormatException(string file, int line, int column, string reason)
    : FormatException(string.Create(CultureInfo.InvariantCulture, $"{file}:{line}:{column}: {reason}"))
{
    /// <summary>The file name as given to the importer (without its directory).</summary>
    public string File { get; } = file;

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; } = column;

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}
