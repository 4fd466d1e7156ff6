namespace Concentrator.Hosting;

/// <summary>How the daemon writes its log on stdout (<c>serve --log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One short line per event, for people (<see cref="ShortLineConsoleFormatter"/>).</summary>
    Text,

    /// <summary>One JSON object per line, for machines (Microsoft.Extensions.Logging's JSON console formatter).</summary>
    Json,
}
