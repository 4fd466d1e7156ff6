namespace Concentrator.Commands;

/// <summary>Process exit codes, the same for every command (README.md lists them).</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Could not do the job (a listener could not bind, a runtime failure).</summary>
    public const int Failure = 1;

    /// <summary>Bad command line or bad configuration: nothing was started.</summary>
    public const int Usage = 2;

    /// <summary><c>lease acquire</c>: nothing was granted within --wait (the port or every tagged port stayed leased).</summary>
    public const int NotGranted = 3;

    /// <summary>A management verb named a port or session the daemon does not have.</summary>
    public const int NotFound = 4;
}
