using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Concentrator.Testing;

namespace Concentrator.Client.Tests;

/// <summary>`concentrator bridge` end to end: a local pty-backed device bridged to a remote port on the real daemon.</summary>
public sealed class BridgeCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly RemotePort _remote = new(baud: 9600);
    private readonly VirtualSerialDevice _local = VirtualSerialDevice.CreateTemp("client-local");

    public void Dispose()
    {
        _remote.Dispose();
        _local.Dispose();
    }

    [Fact]
    public void MovesDataBothWaysAndForwardsTheLocalLineSettings()
    {
        // Default backend: System.IO.Ports, as on Windows with com0com.
        using var bridge = ConcentratorCli.Start("bridge", _local.LinkPath, _remote.Address, "--baud", "19200");
        bridge.WaitFor("connected to", Timeout);
        Eventually.True(() => _remote.Device.GetTermios().BaudRate == 19200, TimeSpan.FromSeconds(2),
            () => $"remote device rate {_remote.Device.GetTermios().BaudRate}\n{bridge.Output}");

        _local.Write("from the local side\r\n");
        Assert.Equal("from the local side\r\n", Encoding.ASCII.GetString(_remote.Device.ReadExactly(21, Timeout)));
        var fromRemote = Encoding.Latin1.GetBytes("from the remote device\xff!");
        _remote.Device.Write(fromRemote);
        Assert.Equal(fromRemote, _local.ReadExactly(fromRemote.Length, Timeout));

        // The remote port goes away and comes back: the bridge reconnects and carries on.
        _remote.Restart();
        bridge.WaitFor("connected to", Timeout, occurrences: 2);
        Eventually.True(() => _remote.Device.GetTermios().BaudRate == 19200, TimeSpan.FromSeconds(3),
            () => $"after restart: {_remote.Device.GetTermios().BaudRate}\n{bridge.Output}");
        _local.Write("again");
        Assert.Equal("again", Encoding.ASCII.GetString(_remote.Device.ReadExactly(5, Timeout)));

        Assert.Equal(0, bridge.Signal(15));
    }
}

/// <summary>`concentrator attach` run under a real pseudo-terminal (python's pty module plays the user's terminal).</summary>
public sealed class AttachCommandTests : IDisposable
{
    private const string Driver = """
        import os, pty, sys, time, select
        dll, address, before, after = sys.argv[1:5]
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp('sh', ['sh', '-c', f'stty -g > {before}; dotnet {dll} attach {address}; echo "rc=$?"; stty -g > {after}'])
        out = b''
        def until(token, timeout=20):
            global out
            end = time.time() + timeout
            while token not in out:
                left = end - time.time()
                if left <= 0:
                    sys.stdout.write('TIMEOUT waiting for %r; got %r\n' % (token, out)); sys.stdout.flush(); sys.exit(3)
                r, _, _ = select.select([fd], [], [], left)
                if r:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        chunk = b''
                    if not chunk:
                        sys.stdout.write('EOF waiting for %r; got %r\n' % (token, out)); sys.exit(4)
                    out += chunk
        until(b'escape is')
        os.write(fd, b'typed-by-user\x1d\x1d\x1dX')
        until(b'Ctrl-] then')
        until(b'DEVICE-SAYS-HI')
        os.write(fd, b'\x1db')
        until(b'break sent')
        os.write(fd, b'\x1dq')
        until(b'rc=')
        end = time.time() + 20
        while time.time() < end:  # the rest, until the shell has exited and the pty reports EOF (EIO)
            r, _, _ = select.select([fd], [], [], end - time.time())
            if not r:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.waitpid(pid, 0)
        sys.stdout.write(out.decode('latin-1'))
        """;

    private readonly RemotePort _remote = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("client-attach").FullName;

    public void Dispose()
    {
        _remote.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TypesThroughPassesTheEscapeKeySendsBreakQuitsAndRestoresTheTerminal()
    {
        var script = Path.Combine(_dir, "driver.py");
        File.WriteAllText(script, Driver);
        var before = Path.Combine(_dir, "before");
        var after = Path.Combine(_dir, "after");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, Path.Combine(AppContext.BaseDirectory, "concentrator.dll"), _remote.Address, before, after })
        {
            info.ArgumentList.Add(a);
        }

        using var python = Process.Start(info)!;
        var stdoutTask = python.StandardOutput.ReadToEndAsync();

        // The user's keys arrive at the device; Ctrl-] Ctrl-] is one literal Ctrl-], Ctrl-] X is dropped.
        var typed = Encoding.Latin1.GetString(_remote.Device.ReadExactly("typed-by-user\x1d".Length, TimeSpan.FromSeconds(20)));
        Assert.Equal("typed-by-user\x1d", typed);
        _remote.Device.Write("DEVICE-SAYS-HI\r\n");

        var output = await stdoutTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(python.WaitForExit(TimeSpan.FromSeconds(10)), "the attach session did not finish");
        Assert.True(python.ExitCode == 0, output + python.StandardError.ReadToEnd());
        Assert.Contains("rc=0", output, StringComparison.Ordinal);
        // Nothing after the literal Ctrl-] (not the X, the break's b or the q). Once the daemon has logged the attach
        // session's end, it has handled all of its input; a sentinel typed by another client after that is the
        // device's next input, so nothing of the attach session's came after the literal Ctrl-].
        _remote.Daemon.WaitFor("session 1 on port remote: .* disconnected");
        using (var other = new TcpClient("127.0.0.1", _remote.TcpPort))
        {
            other.GetStream().Write("sentinel|"u8);
            Assert.Equal("sentinel|", _remote.Device.ReadUntil("|", TimeSpan.FromSeconds(20)));
        }

        Assert.Equal(File.ReadAllText(before), File.ReadAllText(after)); // terminal settings restored
    }

    [Fact]
    public void ABusyPortGivesAClearMessageAndExitCode1()
    {
        using var busy = new RemotePortWithOneSession();
        using var holder = new TcpClient();
        holder.Connect("127.0.0.1", busy.Remote.TcpPort);
        busy.Remote.Daemon.WaitFor("connected");

        var run = ConcentratorCli.Run(["attach", busy.Remote.Address], TimeSpan.FromSeconds(30));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("busy", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("refused", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingListeningGivesAClearMessageAndExitCode1()
    {
        var port = FreeTcpPort.Next();

        var run = ConcentratorCli.Run(["attach", $"127.0.0.1:{port}"], TimeSpan.FromSeconds(30));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", run.Stderr, StringComparison.Ordinal);
    }

    private sealed class RemotePortWithOneSession : IDisposable
    {
        public RemotePort Remote { get; } = new(extra: "max-sessions = 1");

        public void Dispose() => Remote.Dispose();
    }
}
