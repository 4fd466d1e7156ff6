using System.Text;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.ConsoleLog;

namespace Concentrator.Ports.Tests.Configuration;

public sealed class ConsoleLogWriterTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("console-log");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Timestamps_mark_the_start_of_each_line_even_across_chunks()
    {
        var path = Path.Combine(_dir.FullName, "c.log");
        using (var log = new ConsoleLogWriter(new ConsoleLogSettings(path, true, 1 << 20, 3)))
        {
            log.Device("U-Boot 2024\r\nlo"u8.ToArray());
            log.Device("gin: "u8.ToArray());
            log.Mark("session 1 connected");
            log.Device("root\n"u8.ToArray());
        }

        var lines = File.ReadAllLines(path);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z U-Boot 2024$", lines[0]);
        Assert.Matches(@"^\S+Z login: $", lines[1]);
        Assert.Matches(@"^\[concentrator \S+Z: session 1 connected\]$", lines[2]);
        Assert.Matches(@"^\S+Z root$", lines[3]);
    }

    [Fact]
    public void Rotation_keeps_every_byte_and_only_keep_files()
    {
        var path = Path.Combine(_dir.FullName, "r.log");
        var expected = new StringBuilder();
        using (var log = new ConsoleLogWriter(new ConsoleLogSettings(path, false, 1024, 2)))
        {
            for (var i = 0; i < 100; i++)
            {
                var line = $"line {i:000} {new string('x', 20)}\n";
                expected.Append(line);
                log.Device(Encoding.ASCII.GetBytes(line));
            }
        }

        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(new[] { path, path + ".1", path + ".2" }, f => Assert.True(new FileInfo(f).Length <= 1024));

        // The newest files hold the newest bytes, contiguous and intact.
        var kept = File.ReadAllText(path + ".2") + File.ReadAllText(path + ".1") + File.ReadAllText(path);
        Assert.EndsWith(kept, expected.ToString(), StringComparison.Ordinal);
        Assert.Equal(2048 + new FileInfo(path).Length, kept.Length);
    }
}
