using System.Globalization;
using System.Text;

namespace Concentrator.Devices.Simulated;

/// <summary>Where the demo machine is.</summary>
public enum DemoConsoleState
{
    /// <summary>Printing the boot log; input is ignored.</summary>
    Booting,
    /// <summary>At the "demo login: " prompt.</summary>
    Login,
    /// <summary>At the "Password: " prompt (no echo).</summary>
    Password,
    /// <summary>At the "demo:~$ " shell prompt.</summary>
    Shell,
}

/// <summary>
/// The logic of sim:demo, a small fake embedded-Linux console, as a pure state machine: bytes in, bytes out,
/// with the time passed in. Not thread safe; the device adapter locks around it.
/// </summary>
/// <remarks>
/// On start (and on "reboot") it schedules a boot log paced over about one second, ending in the
/// "demo login: " prompt. It echoes typed characters (CR becomes CR LF, backspace 0x7f/0x08 erases),
/// asks for a password without echo, then serves a "demo:~$ " shell with help, uname -a, uptime, date,
/// echo, ls, cat /etc/motd, dmesg, reboot, exit/logout.
/// </remarks>
public sealed class DemoConsole
{
    /// <summary>The login prompt.</summary>
    public const string LoginPrompt = "demo login: ";

    /// <summary>The password prompt.</summary>
    public const string PasswordPrompt = "Password: ";

    /// <summary>The shell prompt.</summary>
    public const string ShellPrompt = "demo:~$ ";

    /// <summary>The message of the day.</summary>
    public const string Motd = "Welcome to Demo Linux 1.0 (a simulated console).\r\nType 'help' for the commands.\r\n";

    /// <summary>The kernel part of the boot log (also what dmesg prints).</summary>
    private static readonly string[] KernelLog =
    [
        "[    0.000000] Booting Linux on physical CPU 0x0",
        "[    0.000000] Linux version 5.15.0-demo (builder@demo) (gcc 12.2.0) #1 SMP PREEMPT",
        "[    0.000000] Memory: 245760K/262144K available (8192K kernel code)",
        "[    0.351200] mmc0: new high speed SDHC card at address 0001",
        "[    0.612400] EXT4-fs (mmcblk0p2): mounted filesystem with ordered data mode",
        "[    0.803100] eth0: link up, 100Mbps, full-duplex",
    ];

    /// <summary>The boot log lines and their offsets from power-on.</summary>
    private static readonly (double Seconds, string Text)[] BootScript =
    [
        (0.00, "\r\nU-Boot 2024.01-demo\r\nStarting kernel ...\r\n\r\n"),
        (0.10, KernelLog[0] + "\r\n"),
        (0.15, KernelLog[1] + "\r\n"),
        (0.25, KernelLog[2] + "\r\n"),
        (0.40, KernelLog[3] + "\r\n"),
        (0.55, KernelLog[4] + "\r\n"),
        (0.70, "Mounting filesystems: OK\r\n"),
        (0.80, KernelLog[5] + "\r\n"),
        (0.85, "Starting network: eth0 up, 192.168.7.2/24\r\n"),
        (0.95, "\r\nDemo Linux 1.0 demo ttyS0\r\n\r\n" + LoginPrompt),
    ];

    private readonly Queue<(DateTimeOffset Due, string Text)> _scheduled = new();
    private readonly StringBuilder _line = new();
    private DateTimeOffset _bootedAt;
    private byte _previous;

    /// <summary>Powers the machine on at <paramref name="now"/>: the boot log starts.</summary>
    public DemoConsole(DateTimeOffset now) => Boot(now);

    /// <summary>The current state.</summary>
    public DemoConsoleState State { get; private set; }

    /// <summary>The user logged in, if any.</summary>
    public string? User { get; private set; }

    /// <summary>When the next scheduled output is due; null when nothing is scheduled.</summary>
    public DateTimeOffset? NextOutputAt => _scheduled.Count > 0 ? _scheduled.Peek().Due : null;

    /// <summary>Scheduled output that is due at <paramref name="now"/>.</summary>
    public byte[] Poll(DateTimeOffset now)
    {
        var sb = new StringBuilder();
        FlushDue(now, sb);
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>Feeds typed bytes; returns due scheduled output followed by the machine's answer.</summary>
    public byte[] Receive(ReadOnlySpan<byte> input, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        FlushDue(now, sb);
        foreach (var b in input)
        {
            var previous = _previous;
            _previous = b;
            if (State == DemoConsoleState.Booting)
            {
                continue;
            }

            switch (b)
            {
                case (byte)'\r':
                    sb.Append("\r\n");
                    Enter(now, sb);
                    break;
                case (byte)'\n':
                    if (previous != '\r')
                    {
                        sb.Append("\r\n");
                        Enter(now, sb);
                    }

                    break;
                case 0x7f or 0x08:
                    if (_line.Length > 0)
                    {
                        _line.Length--;
                        if (State != DemoConsoleState.Password)
                        {
                            sb.Append("\b \b");
                        }
                    }

                    break;
                case 0x03: // Ctrl-C
                    _line.Clear();
                    sb.Append("^C\r\n").Append(Prompt());
                    break;
                case >= 0x20 and < 0x7f:
                    _line.Append((char)b);
                    if (State != DemoConsoleState.Password)
                    {
                        sb.Append((char)b);
                    }

                    break;
            }

            if (State == DemoConsoleState.Booting)
            {
                break; // "reboot": the rest of the input is lost
            }
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private string Prompt() => State switch
    {
        DemoConsoleState.Login => LoginPrompt,
        DemoConsoleState.Password => PasswordPrompt,
        DemoConsoleState.Shell => ShellPrompt,
        _ => "",
    };

    private void FlushDue(DateTimeOffset now, StringBuilder sb)
    {
        while (_scheduled.Count > 0 && _scheduled.Peek().Due <= now)
        {
            sb.Append(_scheduled.Dequeue().Text);
        }

        if (State == DemoConsoleState.Booting && _scheduled.Count == 0)
        {
            State = DemoConsoleState.Login;
        }
    }

    private void Boot(DateTimeOffset now)
    {
        State = DemoConsoleState.Booting;
        User = null;
        _line.Clear();
        _bootedAt = now;
        foreach (var (seconds, text) in BootScript)
        {
            _scheduled.Enqueue((now + TimeSpan.FromSeconds(seconds), text));
        }
    }

    private void Enter(DateTimeOffset now, StringBuilder sb)
    {
        var line = _line.ToString();
        _line.Clear();
        switch (State)
        {
            case DemoConsoleState.Login:
                if (line.Trim().Length == 0)
                {
                    sb.Append(LoginPrompt);
                }
                else
                {
                    User = line.Trim();
                    State = DemoConsoleState.Password;
                    sb.Append(PasswordPrompt);
                }

                break;
            case DemoConsoleState.Password:
                State = DemoConsoleState.Shell;
                sb.Append("\r\n").Append(Motd).Append(ShellPrompt);
                break;
            case DemoConsoleState.Shell:
                Execute(line.Trim(), now, sb);
                break;
        }
    }

    private void Execute(string command, DateTimeOffset now, StringBuilder sb)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        var name = space < 0 ? command : command[..space];
        var args = space < 0 ? "" : command[(space + 1)..].Trim();
        switch (name)
        {
            case "":
                break;
            case "help":
                sb.Append("Commands: help, uname -a, uptime, date, echo TEXT, ls, cat /etc/motd, dmesg, reboot, exit, logout\r\n");
                break;
            case "uname":
                sb.Append(args == "-a"
                    ? "Linux demo 5.15.0-demo #1 SMP PREEMPT armv7l GNU/Linux\r\n"
                    : "Linux\r\n");
                break;
            case "uptime":
                var up = now - _bootedAt;
                sb.Append(CultureInfo.InvariantCulture,
                    $" {now.UtcDateTime:HH:mm:ss} up {(int)up.TotalMinutes} min,  1 user,  load average: 0.00, 0.01, 0.05\r\n");
                break;
            case "date":
                sb.Append(now.UtcDateTime.ToString("ddd MMM d HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture)).Append("\r\n");
                break;
            case "echo":
                sb.Append(args).Append("\r\n");
                break;
            case "ls":
                sb.Append("bin  dev  etc  home  lib  proc  root  sys  tmp  usr  var\r\n");
                break;
            case "cat":
                if (args == "/etc/motd")
                {
                    sb.Append(Motd);
                }
                else
                {
                    sb.Append(CultureInfo.InvariantCulture, $"cat: {(args.Length == 0 ? "-" : args)}: No such file or directory\r\n");
                }

                break;
            case "dmesg":
                foreach (var l in KernelLog)
                {
                    sb.Append(l).Append("\r\n");
                }

                break;
            case "reboot":
                sb.Append("The system is going down for reboot NOW!\r\n");
                Boot(now);
                return;
            case "exit" or "logout":
                State = DemoConsoleState.Login;
                User = null;
                sb.Append("\r\n").Append(LoginPrompt);
                return;
            default:
                sb.Append(CultureInfo.InvariantCulture, $"sh: {name}: command not found\r\n");
                break;
        }

        sb.Append(ShellPrompt);
    }
}
