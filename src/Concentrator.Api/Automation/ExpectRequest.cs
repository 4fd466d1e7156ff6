using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Concentrator.Api.Leases;
using Concentrator.Ports.Automation;
using Concentrator.Ports.Power;

namespace Concentrator.Api.Automation;

/// <summary>The body of POST /api/ports/{name}/expect (see interface.md "Automation").</summary>
public sealed class ExpectRequest
{
    public const int MaxPatterns = 32;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    public string? Send { get; init; }

    public string? SendBase64 { get; init; }

    public string? Pattern { get; init; }

    public List<string>? Patterns { get; init; }

    /// <summary>"now" (default), "start", or an offset (a number or its digits as text).</summary>
    public JsonElement? From { get; init; }

    public string? Timeout { get; init; }

    /// <summary>"on", "off" or "cycle": switch the port's power after taking the offset and before any send.</summary>
    public string? Power { get; init; }

    /// <summary>What to send, the compiled patterns, where to start and how long to wait; or the fields at fault.</summary>
    public (ValidExpect? Expect, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>();
        byte[]? send = null;
        if (Send is not null && SendBase64 is not null)
        {
            errors["send"] = ["give send or sendBase64, not both"];
        }
        else if (Send is not null)
        {
            send = Encoding.UTF8.GetBytes(Send);
        }
        else if (SendBase64 is not null)
        {
            try
            {
                send = Convert.FromBase64String(SendBase64);
            }
            catch (FormatException)
            {
                errors["sendBase64"] = ["not valid base64"];
            }
        }

        var texts = new List<string>();
        if (Pattern is not null)
        {
            texts.Add(Pattern);
        }

        texts.AddRange(Patterns ?? []);
        var regexes = new List<Regex>();
        if (texts.Count == 0)
        {
            errors["pattern"] = ["missing: the regular expression to wait for (pattern, or patterns: [...])"];
        }
        else if (texts.Count > MaxPatterns)
        {
            errors["patterns"] = [$"{texts.Count} patterns; at most {MaxPatterns}"];
        }
        else
        {
            for (var i = 0; i < texts.Count; i++)
            {
                var (regex, problem) = ExpectPatterns.Compile(texts[i]);
                if (regex is null)
                {
                    errors[Pattern is not null && i == 0 ? "pattern" : $"patterns[{(Pattern is not null ? i - 1 : i)}]"] = [$"\"{texts[i]}\": {problem}"];
                }
                else
                {
                    regexes.Add(regex);
                }
            }
        }

        var timeout = DefaultTimeout;
        if (Timeout is not null && (!LeaseDuration.TryParse(Timeout, out timeout) || timeout <= TimeSpan.Zero || timeout > MaxTimeout))
        {
            errors["timeout"] = [$"\"{Timeout}\": expected a duration such as 500ms, 30s or 2m, at most 1h"];
        }

        var from = ExpectFrom.Now;
        if (From is { } f && !ExpectFrom.TryParse(f, out from))
        {
            errors["from"] = [$"{f.GetRawText()}: expected \"now\", \"start\" or a byte offset"];
        }

        PowerAction? power = null;
        if (Power is not null)
        {
            if (PowerActions.TryParse(Power, out var action) && action != PowerAction.Status)
            {
                power = action;
            }
            else
            {
                errors["power"] = [$"\"{Power}\": expected on, off or cycle"];
            }
        }

        return errors.Count > 0 ? (null, errors) : (new ValidExpect(send, regexes, from, timeout) { Power = power }, errors);
    }
}

/// <summary>A checked expect request.</summary>
public sealed record ValidExpect(byte[]? Send, IReadOnlyList<Regex> Patterns, ExpectFrom From, TimeSpan Timeout)
{
    /// <summary>A power action to take before the send (power-cycle and expect the boot in one call), or null.</summary>
    public PowerAction? Power { get; init; }
}

/// <summary>Where in the output to look from: now (taken before any send), the start of what is kept, or an offset.</summary>
public readonly record struct ExpectFrom(long? Offset, bool Start)
{
    public static readonly ExpectFrom Now = new(null, false);

    public long Resolve(OutputCapture capture) => Start ? capture.Start : Offset ?? capture.End;

    public static bool TryParse(JsonElement value, out ExpectFrom from) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) && n >= 0 => Ok(new ExpectFrom(n, false), out from),
        JsonValueKind.Null => Ok(Now, out from),
        JsonValueKind.String => TryParse(value.GetString(), out from),
        _ => Fail(out from),
    };

    public static bool TryParse(string? text, out ExpectFrom from)
    {
        switch (text)
        {
            case null or "now":
                from = Now;
                return true;
            case "start":
                from = new ExpectFrom(null, true);
                return true;
            default:
                var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n);
                from = ok ? new ExpectFrom(n, false) : Now;
                return ok;
        }
    }

    private static bool Ok(ExpectFrom value, out ExpectFrom from)
    {
        from = value;
        return true;
    }

    private static bool Fail(out ExpectFrom from)
    {
        from = Now;
        return false;
    }
}

/// <summary>The answer of expect: 200 when matched, 408 when not in time (see interface.md).</summary>
public sealed record ExpectView(bool Matched, int? Pattern, string? Match, IReadOnlyList<string?>? Groups, long? Start, long? End,
    long From, string Transcript)
{
    public static ExpectView Of(ExpectResult r) => r.Matched
        ? new(true, r.Pattern, r.Match, r.Groups, r.Start, r.End, r.From, r.Transcript)
        : new(false, null, null, null, null, null, r.From, r.Transcript);
}
