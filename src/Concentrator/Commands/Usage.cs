namespace Concentrator.Commands;

/// <summary>Process exit codes, the same for every command.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Could not do the job (a listener could not bind, a runtime failure).</summary>
    public const int Failure = 1;
    /// <summary>Bad command line or bad configuration: nothing was started.</summary>
    public const int Usage = 2;
}

/// <summary>The command-line help.</summary>
public static class Usage
{
    public const string Text = """
        concentrator: a serial console server (raw TCP, telnet, RFC 2217)

        usage:
          concentrator serve [--config FILE]          run the daemon (default: a simulated demo port on 127.0.0.1:7000)
          concentrator serve --check [--config FILE]  validate the config, print what would be served, exit
          concentrator attach HOST:PORT               interactive terminal on a remote port (Ctrl-] then q quit, b break, Ctrl-] literal)
          concentrator pty HOST:PORT --link PATH [--baud N]
                                                      local pseudo-terminal at PATH bridged over RFC 2217 (baud changes forwarded)
          concentrator bridge DEVICE HOST:PORT [--backend posix|system-io-ports] [--baud N]
                                                      a local serial device bridged to the remote port over RFC 2217
          concentrator import-ser2net FILE            print the HOCON equivalent of a ser2net.conf / ser2net.yaml
          concentrator --version

        """;

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"concentrator: {message}");
        Console.Error.Write(Text);
        return ExitCodes.Usage;
    }
}

/// <summary>Version of this build.</summary>
public static class BuildInfo
{
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
