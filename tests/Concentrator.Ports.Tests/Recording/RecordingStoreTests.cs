using System.Text.Json;
using Concentrator.Ports.Recording;

namespace Concentrator.Ports.Tests.Recording;

/// <summary>The recordings directory: retention by age and by size (oldest first, never one being written), ids, modes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RecordingStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"recordings-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private RecordingStore Store(long maxSize = 1L << 30, TimeSpan? maxAge = null) =>
        new(new RecordingSettings(_dir, maxSize, maxAge ?? TimeSpan.FromDays(30)));

    /// <summary>A finished recording of <paramref name="size"/> bytes, last written <paramref name="age"/> ago.</summary>
    private static string Finished(RecordingStore store, string port, int size, TimeSpan age)
    {
        var at = DateTimeOffset.UtcNow - age;
        var (id, path) = store.Begin(port, at);
        File.WriteAllBytes(path, new byte[size]);
        File.SetLastWriteTimeUtc(path, at.UtcDateTime);
        store.Finished(id);
        return id;
    }

    [Fact]
    public void The_oldest_finished_recordings_go_until_the_directory_fits_and_one_being_written_stays()
    {
        var store = Store(maxSize: 8_000);
        var oldest = Finished(store, "p", 4_000, TimeSpan.FromHours(5));
        var older = Finished(store, "p", 4_000, TimeSpan.FromHours(4));
        var (writing, writingPath) = store.Begin("p", DateTimeOffset.UtcNow - TimeSpan.FromHours(6)); // the oldest of all, but open
        File.WriteAllBytes(writingPath, new byte[1_000]);
        File.SetLastWriteTimeUtc(writingPath, (DateTimeOffset.UtcNow - TimeSpan.FromHours(6)).UtcDateTime);
        var newest = Finished(store, "q", 4_000, TimeSpan.FromHours(1));

        var removed = store.EnforceRetention(DateTimeOffset.UtcNow);

        Assert.Equal([oldest, older], removed); // 13,000 bytes: the two oldest finished go, 5,000 are left
        Assert.Equal(new[] { newest, writing }.Order(StringComparer.Ordinal), store.List().Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Null(store.Find(oldest));
        Assert.NotNull(store.Find(writing));
        Assert.NotNull(store.Find(newest));
    }

    [Fact]
    public void Recordings_past_the_age_limit_go_whatever_their_size()
    {
        var store = Store(maxAge: TimeSpan.FromDays(1));
        var old = Finished(store, "p", 10, TimeSpan.FromDays(2));
        var recent = Finished(store, "p", 10, TimeSpan.FromHours(23));

        Assert.Equal([old], store.EnforceRetention(DateTimeOffset.UtcNow));
        Assert.Equal([recent], store.List("p").Select(r => r.Id));
    }

    [Fact]
    public void An_id_is_a_plain_name_never_a_path()
    {
        var store = Store();
        var id = Finished(store, "a/b port", 10, TimeSpan.Zero);
        Assert.StartsWith("a_b_port.", id, StringComparison.Ordinal);
        Assert.NotNull(store.Find(id));
        foreach (var bad in new[] { "../" + id, id + "/..", "/etc/passwd", "", "..", id.Replace(".", "/", StringComparison.Ordinal) })
        {
            Assert.Null(store.Find(bad));
        }
    }

    [Fact]
    public void Output_the_disk_cannot_take_in_time_is_dropped_counted_and_marked_never_lost_silently()
    {
        var store = Store();
        var recorder = new PortRecorder("burst", store);
        recorder.Begin(RecordingMode.Output, "port burst");
        var chunk = Enumerable.Repeat((byte)'a', 512 * 1024).ToArray();
        const int chunks = 64; // 32 MiB at once: far more than the queue's 4 MiB while the thread writes
        for (var i = 0; i < chunks; i++)
        {
            recorder.Deliver(chunk); // never waits
        }

        recorder.End();
        recorder.Dispose();

        var path = store.Find(Assert.Single(store.List("burst")).Id)!;
        long recorded = 0, dropped = 0;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var e = JsonDocument.Parse(line).RootElement;
            if (e[1].GetString() == "o")
            {
                recorded += e[2].GetString()!.Length;
            }
            else if (e[2].GetString()!.StartsWith("dropped ", StringComparison.Ordinal))
            {
                var text = e[2].GetString()!;
                var bytes = text[(text.IndexOf('(', StringComparison.Ordinal) + 1)..].Split(' ')[0];
                dropped = long.Parse(bytes, System.Globalization.CultureInfo.InvariantCulture); // the count so far
            }
        }

        Assert.Equal(chunks * (long)chunk.Length, recorded + dropped);
        Assert.Equal(recorder.DroppedEvents > 0, dropped > 0);
    }

    [Fact]
    public void A_long_recording_rotates_into_files_that_continue_each_other()
    {
        var store = Store(maxSize: 1024 * 1024); // files rotate past 128 KiB
        var recorder = new PortRecorder("long", store);
        recorder.Begin(RecordingMode.Output, "port long");
        var chunk = Enumerable.Repeat((byte)'x', 16 * 1024).ToArray();
        for (var i = 0; i < 32; i++)
        {
            recorder.Deliver(chunk); // 512 KiB: within the queue, so nothing is dropped
        }

        recorder.End();
        recorder.Dispose();

        var files = store.List("long").OrderBy(r => r.Started).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 3, $"{files.Count} file(s)");
        Assert.All(files, f => Assert.NotNull(f.Ended));
        var output = files.Sum(f => File.ReadLines(store.Find(f.Id)!).Skip(1).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e[1].GetString() == "o").Sum(e => (long)e[2].GetString()!.Length));
        Assert.Equal(32 * 16 * 1024, output);
        foreach (var (previous, next) in files.Zip(files.Skip(1)))
        {
            var first = JsonDocument.Parse(File.ReadLines(store.Find(next.Id)!).Skip(1).First()).RootElement;
            Assert.Equal($"continued from {previous.Id}", first[2].GetString());
        }
    }

    [Fact]
    public void A_port_recorder_writes_0640_files_in_a_0750_directory_with_who_was_in_them()
    {
        var store = Store();
        var recorder = new PortRecorder("p", store);
        recorder.Begin(RecordingMode.All, "port p");
        recorder.Joined(new RecordingParticipant("alice", "127.0.0.2:5000", 1, DateTimeOffset.UtcNow), "join alice (session 1)");
        recorder.Deliver("hello \u00e9"u8.ToArray());
        recorder.Typed(1, "ls\r"u8.ToArray());
        recorder.Left(1, "alice");
        recorder.End();
        recorder.Dispose(); // writes what is queued

        var recording = Assert.Single(store.List("p"));
        Assert.False(recording.Active);
        Assert.NotNull(recording.Ended);
        Assert.Equal("alice", Assert.Single(recording.Participants).Principal);
        var path = store.Find(recording.Id)!;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.ChangeExtension(path, ".json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(_dir));

        var events = File.ReadAllLines(path).Skip(1).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var codes = events.Select(e => (e[1].GetString(), e[2].GetString())).ToList();
        Assert.Equal(
        [
            ("m", "join alice (session 1)"), ("o", "hello \u00e9"), ("m", "typing alice (session 1)"), ("i", "ls\r"),
            ("m", "leave alice (session 1)"), ("m", "end"),
        ], codes);
        var header = JsonDocument.Parse(File.ReadLines(path).First()).RootElement;
        Assert.Equal("p", header.GetProperty("env").GetProperty("CONCENTRATOR_PORT").GetString());
        Assert.Equal(80, header.GetProperty("width").GetInt32());
    }
}
