using System.Text;
using static Concentrator.Devices.Posix.PosixNative;

namespace Concentrator.Client.Security;

/// <summary>
/// Where a client's password comes from: the CONCENTRATOR_PASSWORD environment variable (scripts), else a prompt on
/// the terminal with echo off. Never from the command line, where every user of the machine could read it.
/// </summary>
public static class PasswordPrompt
{
    public const string EnvironmentVariable = "CONCENTRATOR_PASSWORD";

    /// <summary>The password for <paramref name="user"/>, or null when there is none to be had (no variable, no terminal).</summary>
    public static string? Read(string user)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (!OperatingSystem.IsLinux() || IsATty(0) != 1)
        {
            return null;
        }

        var saved = default(Termios2);
        if (Ioctl(0, TCGETS2, ref saved) != 0)
        {
            return null;
        }

        var quiet = saved;
        quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK);
        quiet.c_lflag |= ECHONL;
        Console.Error.Write($"password for {user}: ");
        _ = Ioctl(0, TCSETSW2, ref quiet);
        try
        {
            var line = new StringBuilder();
            var buffer = new byte[256];
            while (true)
            {
                var n = Terminal.FdWriter.Read(0, buffer);
                if (n <= 0)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, n);
                var end = text.IndexOfAny(['\n', '\r']);
                line.Append(end < 0 ? text : text[..end]);
                if (end >= 0)
                {
                    break;
                }
            }

            return line.ToString();
        }
        finally
        {
            _ = Ioctl(0, TCSETSW2, ref saved);
        }
    }
}
