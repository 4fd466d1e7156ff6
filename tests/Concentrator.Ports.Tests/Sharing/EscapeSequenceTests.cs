using System.Text;
using Concentrator.Ports.Sharing;
using CsCheck;

namespace Concentrator.Ports.Tests.Sharing;

public sealed class EscapeSequenceTests
{
    private static List<object> Scan(EscapeSequence escape, params string[] reads)
    {
        var items = new List<object>();
        foreach (var r in reads)
        {
            escape.Scan(Encoding.Latin1.GetBytes(r), items);
        }

        return items;
    }

    private static string Data(List<object> items) =>
        string.Concat(items.OfType<byte[]>().Select(Encoding.Latin1.GetString));

    [Fact]
    public void Finds_commands_in_order_between_data_even_split_across_reads()
    {
        var items = Scan(EscapeSequence.Default(), "ls\r\u0005", "cf", "more\u0005c.");
        Assert.Equal(["ls\r"u8.ToArray(), new EscapeCommand('f'), "more"u8.ToArray(), new EscapeCommand('.')],
            items.Select(i => i is byte[] b ? (object)b : i), new ItemComparer());
    }

    [Fact]
    public void A_lone_escape_byte_passes_through_and_a_doubled_escape_sends_it()
    {
        var escape = EscapeSequence.Default();
        Assert.Equal("\u0005x", Data(Scan(escape, "\u0005x")));
        Assert.Equal("\u0005\u0005x", Data(Scan(escape, "\u0005\u0005x")));
        Assert.Equal("\u0005", Data(Scan(escape, "\u0005c\u0005")));
    }

    [Theory]
    [InlineData("^Ec", 0x05, 'c')]
    [InlineData("^]x", 0x1d, 'x')]
    [InlineData("&.", (byte)'&', '.')]
    public void Parses_configured_escapes(string text, byte first, char second)
    {
        Assert.True(EscapeSequence.TryParse(text, out var escape));
        var items = new List<object>();
        escape!.Scan([first, (byte)second, (byte)'w'], items);
        Assert.Equal(new EscapeCommand('w'), Assert.Single(items));
    }

    [Theory]
    [InlineData("^E")]
    [InlineData("^Ecc")]
    [InlineData("^1c")]
    public void Rejects_bad_escapes(string text) => Assert.False(EscapeSequence.TryParse(text, out _));

    [Fact]
    public void Data_without_the_escape_byte_is_never_changed()
    {
        Gen.Byte.Where(b => b != 0x05).Array[0, 200].Sample(data =>
        {
            var items = new List<object>();
            EscapeSequence.Default().Scan(data, items);
            return items.OfType<byte[]>().SelectMany(b => b).SequenceEqual(data) && items.All(i => i is byte[]);
        });
    }

    private sealed class ItemComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? x, object? y) =>
            x is byte[] a && y is byte[] b ? a.AsSpan().SequenceEqual(b) : object.Equals(x, y);

        public int GetHashCode(object obj) => 0;
    }
}
