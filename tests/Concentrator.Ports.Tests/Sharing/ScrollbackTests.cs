using Concentrator.Ports.Sharing;
using CsCheck;

namespace Concentrator.Ports.Tests.Sharing;

public sealed class ScrollbackTests
{
    [Fact]
    public void Keeps_the_newest_bytes_across_wraparound()
    {
        var ring = new Scrollback(8);
        ring.Append("abcde"u8);
        ring.Append("fghij"u8);
        Assert.Equal("cdefghij"u8.ToArray(), ring.Snapshot());
        ring.Append("0123456789AB"u8);
        Assert.Equal("456789AB"u8.ToArray(), ring.Snapshot());
        ring.Append("x"u8);
        Assert.Equal("56789ABx"u8.ToArray(), ring.Snapshot());
    }

    [Fact]
    public void A_zero_sized_scrollback_holds_nothing()
    {
        var ring = new Scrollback(0);
        ring.Append("abc"u8);
        Assert.Empty(ring.Snapshot());
    }

    [Fact]
    public void Snapshot_always_equals_the_tail_of_everything_appended()
    {
        Gen.Select(Gen.Int[1, 64], Gen.Byte.Array[0, 100].List[0, 20]).Sample((capacity, chunks) =>
        {
            var ring = new Scrollback(capacity);
            var all = new List<byte>();
            foreach (var chunk in chunks)
            {
                ring.Append(chunk);
                all.AddRange(chunk);
            }

            var expected = all.Skip(Math.Max(0, all.Count - capacity)).ToArray();
            return ring.Snapshot().AsSpan().SequenceEqual(expected);
        });
    }
}
