using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Concentrator.Ports.Recording;

/// <summary>
/// Turns a port's bytes into asciicast v2 lines (a JSON header, then one <c>[time, code, data]</c> array per line).
/// asciicast carries text, so bytes are read as UTF-8 one stream at a time: a character split across two chunks is
/// held back and written whole with the next chunk of the same stream (the device's output, or one session's input),
/// so <c>asciinema cat</c> gives back the very bytes that were read. A byte that is not UTF-8 (line noise, a wrong
/// baud rate, a binary protocol) has no place in a JSON string: each maximal invalid sequence becomes one U+FFFD, as
/// .NET's and asciinema's own decoders do, and is counted (<see cref="Replaced"/>) so the loss is never silent.
/// </summary>
/// <remarks>
/// The bytes are validated and escaped straight into the file's buffer in one pass (runs of plain ASCII copied at once,
/// valid multi-byte characters copied as they are), never decoded to UTF-16 and encoded again: the recorder thread
/// shares the machine with the data plane.
/// </remarks>
internal sealed class AsciicastEncoder(ArrayBufferWriter<byte> buffer)
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Bytes copied as they are inside a JSON string: printable ASCII but the quote and the backslash.</summary>
    private static readonly SearchValues<byte> Plain = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Select(b => (byte)b).Where(b => b is not (byte)'"' and not (byte)'\\')]);

    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];
    private static readonly byte[] Hex = "0123456789abcdef"u8.ToArray();

    private readonly Dictionary<int, Pending> _pending = []; // per stream: 0 the device, a session's id its input
    private readonly ArrayBufferWriter<byte> _text = new(16 * 1024);

    /// <summary>Invalid sequences written as U+FFFD.</summary>
    public long Replaced { get; private set; }

    /// <summary>The first line: size, start time, title, and where it was recorded (<c>env</c> and our own <c>concentrator</c> key).</summary>
    public void Header(int width, int height, DateTimeOffset started, string title, string port, string mode)
    {
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 2);
            json.WriteNumber("width", width);
            json.WriteNumber("height", height);
            json.WriteNumber("timestamp", started.ToUnixTimeSeconds());
            json.WriteString("title", title);
            json.WriteStartObject("env");
            json.WriteString("TERM", "xterm-256color");
            json.WriteString("CONCENTRATOR_PORT", port);
            json.WriteEndObject();
            json.WriteStartObject("concentrator");
            json.WriteString("port", port);
            json.WriteString("recording", mode);
            json.WriteString("started", started.ToString("O", CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    /// <summary>Bytes of one stream (0: the device's output, code "o"; a session's id: its input, code "i").</summary>
    public void Bytes(double seconds, int stream, ReadOnlySpan<byte> data)
    {
        _text.ResetWrittenCount();
        if (_pending.TryGetValue(stream, out var pending))
        {
            data = data[FinishPending(pending, data)..];
        }

        var rest = Escape(data, _text);
        if (!rest.IsEmpty)
        {
            if (pending is null)
            {
                pending = new Pending();
                _pending[stream] = pending;
            }

            rest.CopyTo(pending.Bytes);
            pending.Count = rest.Length;
        }

        Event(seconds, stream == 0 ? "o"u8 : "i"u8);
    }

    /// <summary>A stream ends (its session left, or the file closes): a character it left unfinished is written as U+FFFD.</summary>
    public void End(double seconds, int stream)
    {
        if (_pending.Remove(stream, out var pending) && pending.Count > 0)
        {
            _text.ResetWrittenCount();
            _text.Write(Replacement);
            Replaced++;
            Event(seconds, stream == 0 ? "o"u8 : "i"u8);
        }
    }

    /// <summary>Every stream ends (the file closes or rotates): the next file starts each one afresh.</summary>
    public void EndAll(double seconds)
    {
        foreach (var stream in _pending.Keys.ToList())
        {
            End(seconds, stream);
        }
    }

    /// <summary>A marker (code "m"): a join, a leave, a role or line change, a break, who types now.</summary>
    public void Marker(double seconds, string label)
    {
        _text.ResetWrittenCount();
        Escape(Encoding.UTF8.GetBytes(label), _text);
        Event(seconds, "m"u8, evenEmpty: true);
    }

    private void Event(double seconds, ReadOnlySpan<byte> code, bool evenEmpty = false)
    {
        if (_text.WrittenCount == 0 && !evenEmpty)
        {
            return; // only part of a character so far: it goes with the next chunk
        }

        var span = buffer.GetSpan(32);
        span[0] = (byte)'[';
        seconds.TryFormat(span[1..], out var written, "0.000000", CultureInfo.InvariantCulture);
        buffer.Advance(1 + written);
        buffer.Write(", \""u8);
        buffer.Write(code);
        buffer.Write("\", \""u8);
        buffer.Write(_text.WrittenSpan);
        buffer.Write("\"]\n"u8);
    }

    /// <summary>Completes the character a stream's last chunk ended inside; returns how many bytes of <paramref name="data"/> that took.</summary>
    private int FinishPending(Pending pending, ReadOnlySpan<byte> data)
    {
        if (pending.Count == 0)
        {
            return 0;
        }

        Span<byte> joined = stackalloc byte[8];
        pending.Bytes.AsSpan(0, pending.Count).CopyTo(joined);
        var take = Math.Min(4, data.Length);
        data[..take].CopyTo(joined[pending.Count..]);
        var status = Rune.DecodeFromUtf8(joined[..(pending.Count + take)], out _, out var consumed);
        if (status == OperationStatus.NeedMoreData)
        {
            data.CopyTo(pending.Bytes.AsSpan(pending.Count)); // still not whole (the chunk had fewer bytes than it needs)
            pending.Count += data.Length;
            return data.Length;
        }

        if (status == OperationStatus.Done)
        {
            _text.Write(joined[..consumed]);
        }
        else
        {
            _text.Write(Replacement);
            Replaced++;
        }

        var used = consumed - pending.Count; // never below 0: what was held is the valid start of a character
        pending.Count = 0;
        return used;
    }

    /// <summary>Writes <paramref name="data"/> as the inside of a JSON string; returns an unfinished character at its end, not written.</summary>
    private ReadOnlySpan<byte> Escape(ReadOnlySpan<byte> data, ArrayBufferWriter<byte> to)
    {
        // One reservation for the worst case (every byte a 6-byte \u00XX), then plain writes into it.
        var output = to.GetSpan(data.Length * 6 + 8);
        var written = 0;
        var rest = ReadOnlySpan<byte>.Empty;
        while (!data.IsEmpty)
        {
            var plain = data.IndexOfAnyExcept(Plain);
            if (plain < 0)
            {
                data.CopyTo(output[written..]);
                written += data.Length;
                break;
            }

            data[..plain].CopyTo(output[written..]);
            written += plain;
            data = data[plain..];
            var b = data[0];
            if (b < 0x80)
            {
                written += WriteEscaped(b, output[written..]);
                data = data[1..];
                continue;
            }

            var status = Rune.DecodeFromUtf8(data, out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                rest = data; // at most 3 bytes: the start of a character the next chunk finishes
                break;
            }

            if (status == OperationStatus.Done)
            {
                data[..consumed].CopyTo(output[written..]);
                written += consumed;
            }
            else
            {
                Replacement.CopyTo(output[written..]);
                written += Replacement.Length;
                Replaced++;
            }

            data = data[consumed..];
        }

        to.Advance(written);
        return rest;
    }

    private static int WriteEscaped(byte b, Span<byte> to)
    {
        var escape = b switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            _ => (byte)0,
        };
        to[0] = (byte)'\\';
        if (escape != 0)
        {
            to[1] = escape;
            return 2;
        }

        "u00"u8.CopyTo(to[1..]);
        to[4] = Hex[b >> 4];
        to[5] = Hex[b & 0xF];
        return 6;
    }

    /// <summary>The start of a character a stream's last chunk ended inside (at most 3 bytes, with room for the next chunk's).</summary>
    private sealed class Pending
    {
        public byte[] Bytes { get; } = new byte[8];

        public int Count { get; set; }
    }
}
