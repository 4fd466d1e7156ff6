using System.Runtime.InteropServices;
using System.Text;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Devices.Posix;

/// <summary>A pty master opened through this device (/dev/ptmx): unlocking it and naming its slave, for exec: devices.</summary>
public sealed partial class PosixSerialDevice
{
    /// <summary>Grants and unlocks the slave of this pty master and returns its path (/dev/pts/N).</summary>
    internal unsafe string UnlockPtySlave()
    {
        var added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            var fd = _fd.Fd;
            if (Grantpt(fd) != 0 || Unlockpt(fd) != 0)
            {
                throw FaultFromErrno("unlocking the pty");
            }

            var name = stackalloc byte[128];
            var rc = PtsnameR(fd, name, 128);
            if (rc != 0)
            {
                throw new DeviceFaultException($"ptsname failed: {ErrorText(rc)}", rc);
            }

            return Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }
}
