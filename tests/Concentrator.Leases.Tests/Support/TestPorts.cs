namespace Concentrator.Leases.Tests.Support;

/// <summary>Leasable ports for tests: a name, its tags, an endpoint on 127.0.0.1.</summary>
internal static class TestPorts
{
    public static LeasablePort Port(string name, params string[] tags) => new(name, tags, $"127.0.0.1:{7000 + Math.Abs(name.GetHashCode(StringComparison.Ordinal) % 1000)}");

    /// <summary>rpi-1..rpi-n tagged board:rpi4 and pool; imx-1..imx-m tagged board:imx8 and pool.</summary>
    public static IReadOnlyList<LeasablePort> Rack(int rpi = 2, int imx = 1) =>
    [
        .. Enumerable.Range(1, rpi).Select(i => Port($"rpi-{i}", "board:rpi4", "pool", "rack-3")),
        .. Enumerable.Range(1, imx).Select(i => Port($"imx-{i}", "board:imx8", "pool")),
    ];

    public static IReadOnlyList<LeasablePort> Pool(int count) =>
        [.. Enumerable.Range(1, count).Select(i => Port($"p{i:00}", "pool"))];
}
