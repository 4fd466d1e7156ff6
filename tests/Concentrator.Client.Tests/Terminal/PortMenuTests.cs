using Concentrator.Client.Terminal;

namespace Concentrator.Client.Tests.Terminal;

/// <summary>The SSH port menu: numbers follow what is shown, /TAG filters, names open, nonsense says why.</summary>
public sealed class PortMenuTests
{
    private static PortMenu Menu() => new(PortMenuEntry.ParseList(
        "router-1\tread-write\tlab,rack-a\nswitch-1\tread-only\track-b\nbroken line\nswitch-2\tread-write\t\n"));

    [Fact]
    public void Numbers_pick_from_the_shown_list_and_a_tag_filter_renumbers()
    {
        var menu = Menu();
        Assert.Equal(["router-1", "switch-1", "switch-2"], menu.Shown.Select(p => p.Name));
        Assert.Equal(new PortMenuChoice.Open("switch-1"), menu.Choose("2\n"));
        Assert.Equal(new PortMenuChoice.Filter("rack-b"), menu.Choose("/rack-b"));
        Assert.Contains("1) switch-1", menu.Render(), StringComparison.Ordinal);
        Assert.DoesNotContain("router-1  ", menu.Render(), StringComparison.Ordinal);
        Assert.Equal(new PortMenuChoice.Open("switch-1"), menu.Choose("1"));
        Assert.IsType<PortMenuChoice.Invalid>(menu.Choose("2"));
        Assert.Equal(new PortMenuChoice.Filter(null), menu.Choose("/"));
        Assert.Equal(3, menu.Shown.Count);
    }

    [Fact]
    public void Names_open_quit_leaves_and_unknown_names_are_refused()
    {
        var menu = Menu();
        Assert.Equal(new PortMenuChoice.Open("switch-2"), menu.Choose(" switch-2 \r\n"));
        Assert.IsType<PortMenuChoice.Quit>(menu.Choose("q"));
        Assert.Equal(new PortMenuChoice.Invalid("no port named 'nope' for you"), menu.Choose("nope"));
        Assert.Equal(new PortMenuChoice.Invalid("no port number 0"), menu.Choose("0"));
        Assert.Contains("tags: lab rack-a rack-b", menu.Render(), StringComparison.Ordinal);
    }
}
