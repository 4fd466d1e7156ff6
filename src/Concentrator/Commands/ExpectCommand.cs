using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Concentrator.Api;
using Concentrator.Api.Automation;
using Concentrator.Api.Leases;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator expect NAME [--send TEXT] --pattern RE ... [--from start|now|N] [--timeout 30s] [--json]</c>: one
/// POST /api/ports/NAME/expect. Exit 0 matched, 1 timed out (or failed), 3 not allowed, 2 bad request, 4 no such port.
/// </summary>
public static class ExpectCommand
{
    /// <summary>Exit code when the daemon refused (the caller may not watch, or not send to, the port).</summary>
    public const int NotAllowed = 3;

    public static Command Create()
    {
        var api = new ApiOptions();
        var name = new Argument<string>("NAME") { Description = "The port" };
        var send = new Option<string>("--send") { Description = "Text to send first; escapes \\r \\n \\t \\e \\\\ \\xHH" };
        var patterns = new Option<string[]>("--pattern")
        {
            Description = "A .NET regular expression to wait for (repeat for several: the earliest match wins)",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var from = new Option<string>("--from") { Description = "Where to look from: now (default, taken before the send), start, or an offset" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait, e.g. 30s (default), 2m" };
        var power = new Option<string>("--power") { Description = "Switch the port's power first (on, off, cycle): power-cycle and expect the boot in one call" };
        var command = new Command("expect", "Send to a port and wait for a pattern in its output, on the server") { name, send, patterns, from, timeout, power };
        api.AddTo(command);
        command.SetAction((parse, _) => RunAsync(api, parse, parse.GetRequiredValue(name), parse.GetValue(send), parse.GetValue(patterns) ?? [],
            parse.GetValue(from), parse.GetValue(timeout), parse.GetValue(power)));
        return command;
    }

    private static async Task<int> RunAsync(ApiOptions api, ParseResult parse, string port, string? send, string[] patterns, string? from,
        string? timeout, string? power)
    {
        var wait = ExpectRequest.DefaultTimeout;
        if (timeout is not null && (!LeaseDuration.TryParse(timeout, out wait) || wait <= TimeSpan.Zero))
        {
            Console.Error.WriteLine($"concentrator: expect: --timeout {timeout}: expected a duration such as 500ms, 30s or 2m");
            return ExitCodes.Usage;
        }

        if (from is not null && !ExpectFrom.TryParse(from, out _))
        {
            Console.Error.WriteLine($"concentrator: expect: --from {from}: expected now, start or a byte offset");
            return ExitCodes.Usage;
        }

        byte[]? bytes = null;
        if (send is not null && !TryUnescape(send, out bytes))
        {
            Console.Error.WriteLine($"concentrator: expect: --send {send}: a \\x escape needs two hex digits");
            return ExitCodes.Usage;
        }

        var body = new ExpectRequest
        {
            SendBase64 = bytes is null ? null : Convert.ToBase64String(bytes),
            Patterns = [.. patterns],
            From = from is null ? null : JsonSerializer.SerializeToElement(from, ApiJsonContext.Default.String),
            Timeout = timeout,
            Power = power,
        };
        using var client = api.Client(parse);
        var answer = await client.SendAsync(HttpMethod.Post, $"/api/ports/{Uri.EscapeDataString(port)}/expect",
            JsonSerializer.Serialize(body, ApiJsonContext.Default.ExpectRequest), ApiJsonContext.Default.ExpectView,
            timeout: wait + TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        ExpectView? view = answer.Value;
        if (!answer.Ok && answer.Status == 408)
        {
            view = JsonSerializer.Deserialize(answer.Json, ApiJsonContext.Default.ExpectView);
        }

        if (view is null)
        {
            Console.Error.WriteLine($"concentrator: expect: {answer.Error}");
            return answer.Status == 403 ? NotAllowed : answer.ExitCode;
        }

        if (parse.GetValue(api.Json))
        {
            Console.Out.WriteLine(answer.Json);
        }
        else if (view.Matched)
        {
            Console.Out.WriteLine(view.Match);
        }
        else
        {
            Console.Error.WriteLine($"concentrator: expect: no match within {wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; " +
                $"the output since offset {view.From}:");
            Console.Error.WriteLine(view.Transcript);
        }

        return view.Matched ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>
    /// Shell-friendly escapes into bytes: \r \n \t \e \0 \\ and \xHH (that byte); other text as UTF-8, and a backslash
    /// before anything else kept as written. False when a \x lacks its two hex digits.
    /// </summary>
    public static bool TryUnescape(string text, out byte[] result)
    {
        var bytes = new List<byte>(text.Length);
        var plain = new StringBuilder();
        void Flush()
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
            plain.Clear();
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                plain.Append(text[i]);
                continue;
            }

            var c = text[++i];
            char? escaped = c switch { 'r' => '\r', 'n' => '\n', 't' => '\t', 'e' => '\x1b', '0' => '\0', '\\' => '\\', _ => null };
            if (escaped is { } e)
            {
                plain.Append(e);
            }
            else if (c == 'x')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    result = [];
                    return false;
                }

                Flush();
                bytes.Add(b);
                i += 2;
            }
            else
            {
                plain.Append('\\').Append(c);
            }
        }

        Flush();
        result = [.. bytes];
        return true;
    }
}
