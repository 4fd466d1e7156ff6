using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Concentrator.Ports.Recording;

/// <summary>
/// Turns a port's bytes into asciicast v2 lines (a JSON header, then one <c>[time, code, data]</c> array per line).
/// asciicast carries text, so bytes are decoded as UTF-8 one stream at a time: a character split across two chunks
/// is held back and written whole with the next chunk of the same stream (the device's output, or one session's
/// input), so <c>asciinema cat</c> gives back the very bytes that were read. A byte that is not UTF-8 (line noise, a
/// wrong baud rate, a binary protocol) has no place in a JSON string: it becomes U+FFFD, as asciinema's own recorder
/// does, and is counted (<see cref="Replaced"/>) so the loss is never silent.
/// </summary>
internal sealed class AsciicastEncoder
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _json;
    private readonly Dictionary<int, Decoder> _decoders = []; // one per stream: 0 the device, a session's id its input
    private char[] _chars = new char[4096];

    public AsciicastEncoder(ArrayBufferWriter<byte> buffer)
    {
        _buffer = buffer;
        _json = new Utf8JsonWriter(buffer, Options);
    }

    /// <summary>Bytes that were not UTF-8 and were written as U+FFFD.</summary>
    public long Replaced { get; private set; }

    /// <summary>The first line: size, start time, title, and where it was recorded (<c>env</c> and our own <c>concentrator</c> key).</summary>
    public void Header(int width, int height, DateTimeOffset started, string title, string port, string mode)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteNumber("version", 2);
        _json.WriteNumber("width", width);
        _json.WriteNumber("height", height);
        _json.WriteNumber("timestamp", started.ToUnixTimeSeconds());
        _json.WriteString("title", title);
        _json.WriteStartObject("env");
        _json.WriteString("TERM", "xterm-256color");
        _json.WriteString("CONCENTRATOR_PORT", port);
        _json.WriteEndObject();
        _json.WriteStartObject("concentrator");
        _json.WriteString("port", port);
        _json.WriteString("recording", mode);
        _json.WriteString("started", started.ToString("O", CultureInfo.InvariantCulture));
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Bytes of one stream (0: the device's output, code "o"; a session's id: its input, code "i").</summary>
    public void Bytes(double seconds, int stream, ReadOnlySpan<byte> data)
    {
        if (!_decoders.TryGetValue(stream, out var decoder))
        {
            decoder = Utf8.GetDecoder();
            _decoders[stream] = decoder;
        }

        Text(seconds, stream == 0 ? "o" : "i", Decode(decoder, data, flush: false));
    }

    /// <summary>A stream ends (its session left, or the file closes): a character it left unfinished is written as it is.</summary>
    public void End(double seconds, int stream)
    {
        if (_decoders.Remove(stream, out var decoder))
        {
            Text(seconds, stream == 0 ? "o" : "i", Decode(decoder, [], flush: true));
        }
    }

    /// <summary>Every stream ends (the file closes or rotates): the next file starts each one afresh.</summary>
    public void EndAll(double seconds)
    {
        foreach (var stream in _decoders.Keys.ToList())
        {
            End(seconds, stream);
        }
    }

    /// <summary>A marker (code "m"): a join, a leave, a role or line change, a break, who types now.</summary>
    public void Marker(double seconds, string label) => Text(seconds, "m", label.AsSpan());

    private void Text(double seconds, string code, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty && code != "m")
        {
            return; // only part of a character so far: it goes with the next chunk
        }

        _json.Reset();
        _json.WriteStartArray();
        _json.WriteRawValue(seconds.ToString("0.000000", CultureInfo.InvariantCulture), skipInputValidation: true);
        _json.WriteStringValue(code);
        _json.WriteStringValue(text);
        _json.WriteEndArray();
        EndLine();
    }

    private ReadOnlySpan<char> Decode(Decoder decoder, ReadOnlySpan<byte> data, bool flush)
    {
        var needed = data.Length + 4; // a UTF-8 byte is at most one char, plus what the decoder held back
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        var count = decoder.GetChars(data, _chars, flush);
        var chars = _chars.AsSpan(0, count);
        Replaced += chars.Count('\uFFFD');
        return chars;
    }

    private void EndLine()
    {
        _json.Flush();
        _buffer.Write("\n"u8);
    }
}
