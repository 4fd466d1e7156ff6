namespace Concentrator.Devices;

/// <summary>Which implementation opens a device.</summary>
public enum DeviceBackend
{
    /// <summary>posix on Linux/BSD, system-io-ports elsewhere; sim for sim: paths.</summary>
    Auto,
    /// <summary>open(2) + termios through P/Invoke, a blocking read loop.</summary>
    Posix,
    /// <summary>System.IO.Ports.SerialPort; portable, slower on Linux.</summary>
    SystemIoPorts,
}
