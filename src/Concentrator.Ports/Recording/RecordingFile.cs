using System.Buffers;
using System.Diagnostics;

namespace Concentrator.Ports.Recording;

/// <summary>
/// The recorder thread's side of <see cref="PortRecorder"/>: the open .cast file, its side file of who was in it,
/// rotation past <see cref="RecordingSettings.RotateAt"/> and retention whenever a file begins. Used by that one
/// thread only. A write that fails is reported and the file dropped; the next recording tries again.
/// </summary>
internal sealed class RecordingFile(string port, RecordingStore store, Action<string> onError)
{
    private const int Width = 80;
    private const int Height = 24;
    private const int FlushBytes = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Dictionary<int, RecordingParticipant> _present = [];
    private readonly List<RecordingParticipant> _participants = [];
    private AsciicastEncoder? _encoder;
    private FileStream? _stream;
    private string? _id;
    private string? _path;
    private string _mode = "output";
    private string _title = "";
    private DateTimeOffset _started;
    private long _startedAt;
    private double _last;
    private int _typist; // the session whose keystrokes were written last
    private long _droppedReported;
    private long _droppedInFile;

    public void Write(PortRecorder.Entry entry, long dropped, long droppedBytes)
    {
        if (entry.Kind == PortRecorder.EntryKind.Begin)
        {
            _mode = entry.Text!;
            _title = entry.Title!;
            Open(entry.At, null);
            return;
        }

        if (_encoder is null)
        {
            return; // no recording runs (its file could not be opened): nothing to write to
        }

        var at = Seconds(entry.At);
        if (dropped > _droppedReported)
        {
            _droppedInFile += dropped - _droppedReported;
            _encoder.Marker(at, $"dropped {dropped - _droppedReported} events: the disk could not keep up ({droppedBytes} bytes dropped since the port started)");
            _droppedReported = dropped;
        }

        switch (entry.Kind)
        {
            case PortRecorder.EntryKind.End:
                Close(entry.At);
                _present.Clear();
                break;
            case PortRecorder.EntryKind.Join:
                _present[entry.Session] = entry.Who!;
                _participants.Add(entry.Who!);
                _encoder.Marker(at, entry.Text!);
                WriteMeta(null);
                break;
            case PortRecorder.EntryKind.Leave:
                _encoder.End(at, entry.Session);
                _present.Remove(entry.Session);
                _encoder.Marker(at, entry.Text!);
                break;
            case PortRecorder.EntryKind.Marker:
                _encoder.Marker(at, entry.Text!);
                break;
            case PortRecorder.EntryKind.Input:
                if (entry.Session != _typist && _present.TryGetValue(entry.Session, out var who))
                {
                    _typist = entry.Session;
                    _encoder.Marker(at, $"typing {who.Principal} (session {who.Session})");
                }

                _encoder.Bytes(at, entry.Session, entry.Data);
                break;
            case PortRecorder.EntryKind.Output:
                _encoder.Bytes(at, 0, entry.Data);
                break;
        }

        if (_buffer.WrittenCount >= FlushBytes)
        {
            Flush(); // within a long batch too, so a file outgrows the rotation size by at most this much
        }
    }

    /// <summary>Writes what was encoded; begins the next file when this one outgrew the rotation size.</summary>
    public void Flush()
    {
        WriteOut();
        if (_stream is not null && _stream.Length >= store.Settings.RotateAt)
        {
            var previous = _id;
            var now = Stopwatch.GetTimestamp();
            Close(now);
            Open(now, previous);
        }
    }

    private void WriteOut()
    {
        if (_stream is null || _buffer.WrittenCount == 0)
        {
            _buffer.ResetWrittenCount();
            return;
        }

        try
        {
            _stream.Write(_buffer.WrittenSpan);
            _stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onError($"writing {_path}: {e.Message}");
            Abandon();
        }

        _buffer.ResetWrittenCount();
    }

    /// <summary>The recording ends: streams finish, the side file gets its end, the store may remove the file from now on.</summary>
    public void Close(long at)
    {
        if (_encoder is null)
        {
            return;
        }

        _encoder.EndAll(Seconds(at));
        _encoder.Marker(Seconds(at), "end");
        var ended = _started + TimeSpan.FromSeconds(Seconds(at));
        WriteOut();
        WriteMeta(ended);
        _stream?.Dispose();
        store.Finished(_id!);
        _stream = null;
        _encoder = null;
    }

    private void Open(long at, string? continuesFrom)
    {
        _started = DateTimeOffset.UtcNow;
        _startedAt = at;
        _last = 0;
        _typist = 0;
        _droppedInFile = 0;
        _participants.Clear();
        _participants.AddRange(_present.Values);
        try
        {
            store.EnforceRetention(_started);
            (_id, _path) = store.Begin(port, _started);
            _stream = RecordingStore.CreateFile(_path, FileMode.CreateNew);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onError($"starting a recording of port {port} in {store.Settings.Directory}: {e.Message}");
            Abandon();
            return;
        }

        _buffer.ResetWrittenCount();
        _encoder = new AsciicastEncoder(_buffer);
        _encoder.Header(Width, Height, _started, _title, port, _mode);
        if (continuesFrom is not null)
        {
            _encoder.Marker(0, $"continued from {continuesFrom}");
        }

        WriteMeta(null);
    }

    private void WriteMeta(DateTimeOffset? ended)
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            RecordingStore.WriteMeta(_path, new RecordingInfo(_id!, port, _started, ended, _stream?.Length ?? 0, [.. _participants], _droppedInFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onError($"writing {RecordingStore.MetaPath(_path)}: {e.Message}");
        }
    }

    private void Abandon()
    {
        _stream?.Dispose();
        _stream = null;
        _encoder = null;
        if (_id is not null)
        {
            store.Finished(_id);
        }

        _path = null;
    }

    /// <summary>Seconds since the file began, never going back (events come from several threads).</summary>
    private double Seconds(long at)
    {
        var seconds = Math.Max(0, Stopwatch.GetElapsedTime(_startedAt, at).TotalSeconds);
        _last = Math.Max(_last, Math.Round(seconds, 6));
        return _last;
    }
}
