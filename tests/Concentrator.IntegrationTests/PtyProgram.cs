using System.Diagnostics;
using System.Text;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Runs an interactive program (the real telnet client) on a pseudo-terminal, as if a person sat at it: a small
/// /usr/bin/python3 relay spawns it with pty.fork and copies our stdin to the terminal and the terminal's output
/// to our stdout, byte for byte. The program sees a real tty, so it switches it to raw (character) mode itself.
/// </summary>
public sealed class PtyProgram : IDisposable
{
    private const string Relay = """
        import os, pty, sys, select, signal
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(sys.argv[1], sys.argv[1:])
        try:
            while True:
                r, _, _ = select.select([fd, 0], [], [])
                if fd in r:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        break
                    if not data:
                        break
                    os.write(1, data)
                if 0 in r:
                    data = os.read(0, 4096)
                    if not data:
                        break
                    os.write(fd, data)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        """;

    private readonly Process _process;
    private readonly List<byte> _output = [];
    private readonly Lock _gate = new();
    private readonly Task _reader;
    private int _mark;

    private PtyProgram(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadLoop);
    }

    public static PtyProgram Start(params string[] argv)
    {
        var info = new ProcessStartInfo(PySerial.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Relay);
        foreach (var a in argv)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["TERM"] = "vt100";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the pty relay");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new PtyProgram(process);
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[4096];
        var stream = _process.StandardOutput.BaseStream;
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return;
            }

            if (n == 0)
            {
                return;
            }

            lock (_gate)
            {
                _output.AddRange(buffer.AsSpan(0, n));
            }
        }
    }

    /// <summary>Everything the program printed since the last <see cref="Mark"/> (latin-1, so any byte shows).</summary>
    public string SinceMark
    {
        get
        {
            lock (_gate)
            {
                return Encoding.Latin1.GetString(_output.GetRange(_mark, _output.Count - _mark).ToArray());
            }
        }
    }

    public string All
    {
        get
        {
            lock (_gate)
            {
                return Encoding.Latin1.GetString(_output.ToArray());
            }
        }
    }

    /// <summary>Starts a new window for <see cref="SinceMark"/>.</summary>
    public void Mark()
    {
        lock (_gate)
        {
            _mark = _output.Count;
        }
    }

    /// <summary>Types bytes at the terminal.</summary>
    public void Type(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        _process.StandardInput.BaseStream.Write(bytes);
        _process.StandardInput.BaseStream.Flush();
    }

    /// <summary>Waits until the output since the mark contains <paramref name="text"/>; false on timeout.</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (SinceMark.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        return SinceMark.Contains(text, StringComparison.Ordinal);
    }

    /// <summary>Like <see cref="WaitForAsync"/> but fails the test with the whole output.</summary>
    public async Task ExpectAsync(string text, TimeSpan timeout)
    {
        if (!await WaitForAsync(text, timeout).ConfigureAwait(false))
        {
            Assert.Fail($"'{Escape(text)}' did not appear; since mark: '{Escape(SinceMark)}'; all: '{Escape(All)}'");
        }
    }

    public static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            _ = c is >= ' ' and < (char)0x7f ? sb.Append(c) : sb.Append($"\\x{(int)c:x2}");
        }

        return sb.ToString();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // the relay kills the program and exits
                if (!_process.WaitForExit(3000))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }

        _reader.Wait(TimeSpan.FromSeconds(3));
        _process.Dispose();
    }
}
