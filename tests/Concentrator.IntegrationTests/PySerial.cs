using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Concentrator.IntegrationTests;

/// <summary>
/// Drives a real pyserial (Debian's python3-serial for /usr/bin/python3) from a test: a small python script reads
/// one JSON command per line on stdin and answers each with one JSON line, so a test can interleave pyserial calls
/// with its own checks on the device. Errors pyserial raises come back as <c>{"ok": false, "error": "..."}</c>.
/// </summary>
public sealed class PySerial : IAsyncDisposable
{
    /// <summary>Debian's interpreter, the one python3-serial is installed for (not whatever python3 is on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private const string Script = """
        import sys, json, time, serial
        s = None
        def out(obj):
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd["op"]
            try:
                if op == "open":
                    t = time.monotonic()
                    s = serial.serial_for_url(cmd["url"], **cmd.get("kwargs", {}))
                    out({"ok": True, "seconds": time.monotonic() - t})
                elif op == "set":
                    setattr(s, cmd["name"], cmd["value"])
                    out({"ok": True})
                elif op == "get":
                    out({"ok": True, "value": getattr(s, cmd["name"])})
                elif op == "call":
                    getattr(s, cmd["name"])(*cmd.get("args", []))
                    out({"ok": True})
                elif op == "write":
                    s.write(bytes.fromhex(cmd["hex"]))
                    out({"ok": True})
                elif op == "read":
                    s.timeout = cmd["timeout"]
                    data = s.read(cmd["count"])
                    out({"ok": True, "hex": data.hex()})
                elif op == "wait":
                    start = time.monotonic()
                    while True:
                        value = getattr(s, cmd["name"])
                        if value == cmd["value"] or time.monotonic() - start >= cmd["timeout"]:
                            break
                        time.sleep(0.01)
                    out({"ok": True, "value": value, "seconds": time.monotonic() - start})
                elif op == "close":
                    s.close()
                    out({"ok": True})
                else:
                    out({"ok": False, "error": "unknown op " + op})
            except Exception as e:
                out({"ok": False, "error": type(e).__name__ + ": " + str(e)})
        """;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private PySerial(Process process) => _process = process;

    /// <summary>Starts the driver; nothing is opened yet.</summary>
    public static PySerial Start()
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Python}");
        var driver = new PySerial(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (driver._stderr)
                {
                    driver._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return driver;
    }

    /// <summary>Sends one command and returns pyserial's answer (ok or not).</summary>
    public async Task<JsonElement> RequestAsync(object command, TimeSpan? timeout = null)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command)).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync().WaitAsync(timeout ?? DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"pyserial did not answer {JsonSerializer.Serialize(command)}; stderr: {Stderr}");
        }

        if (line is null)
        {
            throw new InvalidOperationException($"pyserial driver exited; stderr: {Stderr}");
        }

        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Sends one command and fails the test with pyserial's error if it raised.</summary>
    public async Task<JsonElement> OkAsync(object command, TimeSpan? timeout = null)
    {
        var answer = await RequestAsync(command, timeout).ConfigureAwait(false);
        Assert.True(answer.GetProperty("ok").GetBoolean(),
            $"pyserial failed {JsonSerializer.Serialize(command)}: {ErrorOf(answer)}");
        return answer;
    }

    public static string ErrorOf(JsonElement answer) =>
        answer.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "";

    /// <summary>Opens <c>rfc2217://127.0.0.1:port</c>; returns the seconds pyserial's open took, measured in python.</summary>
    public async Task<double> OpenAsync(int port, int baudrate, int bytesize = 8, string parity = "N", double stopbits = 1, string query = "")
    {
        var answer = await OkAsync(new
        {
            op = "open",
            url = $"rfc2217://127.0.0.1:{port}{query}",
            kwargs = new { baudrate, bytesize, parity, stopbits, timeout = 1 },
        }).ConfigureAwait(false);
        return answer.GetProperty("seconds").GetDouble();
    }

    public Task<JsonElement> SetAsync(string name, object value) => RequestAsync(new { op = "set", name, value });

    public async Task<JsonElement> GetAsync(string name) =>
        (await OkAsync(new { op = "get", name }).ConfigureAwait(false)).GetProperty("value");

    public Task<JsonElement> CallAsync(string name, params object[] args) => OkAsync(new { op = "call", name, args });

    public Task WriteAsync(byte[] data) => OkAsync(new { op = "write", hex = Convert.ToHexString(data) });

    /// <summary>pyserial's read(count) with a read timeout: may return fewer bytes.</summary>
    public async Task<byte[]> ReadAsync(int count, double timeoutSeconds)
    {
        var answer = await OkAsync(new { op = "read", count, timeout = timeoutSeconds },
            TimeSpan.FromSeconds(timeoutSeconds + 10)).ConfigureAwait(false);
        return Convert.FromHexString(answer.GetProperty("hex").GetString()!);
    }

    /// <summary>Polls a boolean property (cts, dsr, cd) until it equals <paramref name="value"/>; returns (value, seconds).</summary>
    public async Task<(bool Value, double Seconds)> WaitAsync(string name, bool value, double timeoutSeconds)
    {
        var answer = await OkAsync(new { op = "wait", name, value, timeout = timeoutSeconds }).ConfigureAwait(false);
        return (answer.GetProperty("value").GetBoolean(), answer.GetProperty("seconds").GetDouble());
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // the script's stdin loop ends
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
