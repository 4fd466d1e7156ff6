using Concentrator.Testing;

namespace Concentrator.Devices.Tests;

public sealed class VirtualSerialDeviceTests
{
    [Fact]
    public void Link_points_at_a_raw_pty_slave_and_is_replaced_on_replug()
    {
        using var machine = VirtualSerialDevice.CreateTemp("fixture");
        var first = machine.SlavePath;
        Assert.Equal(first, new FileInfo(machine.LinkPath).LinkTarget);
        Assert.True(machine.GetTermios().IsRaw);

        machine.Unplug();
        Assert.False(File.Exists(machine.LinkPath));
        Assert.False(machine.IsPlugged);
        machine.Replug();
        Assert.True(machine.IsPlugged);
        Assert.Equal(machine.SlavePath, new FileInfo(machine.LinkPath).LinkTarget);
        Assert.True(machine.GetTermios().IsRaw);
    }

    [Fact]
    public void Create_replaces_an_existing_link_and_dispose_removes_it()
    {
        var link = Path.Combine(Path.GetTempPath(), $"fixture-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, "/dev/null");
        try
        {
            var machine = VirtualSerialDevice.Create(link);
            Assert.Equal(machine.SlavePath, new FileInfo(link).LinkTarget);
            machine.Dispose();
            Assert.False(new FileInfo(link).Exists); // true for a dangling link too
        }
        finally
        {
            File.Delete(link); // the link itself when the assertions failed
        }
    }

    [Fact]
    public void Read_helpers_time_out_with_what_they_got()
    {
        using var machine = VirtualSerialDevice.CreateTemp("fixture");
        Assert.Empty(machine.ReadAvailable(TimeSpan.FromMilliseconds(50)));
        Assert.Throws<TimeoutException>(() => machine.ReadExactly(1, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Free_tcp_ports_are_usable()
    {
        var port = FreeTcpPort.Next();
        Assert.InRange(port, 1, 65535);
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
    }
}
