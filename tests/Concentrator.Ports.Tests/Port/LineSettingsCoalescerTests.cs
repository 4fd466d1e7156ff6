using Concentrator.Devices;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Tests.Port;

public sealed class LineSettingsCoalescerTests
{
    private static readonly LineSettings Initial = LineSettings.Default with { BaudRate = 115200 };

    [Fact]
    public void Two_changes_in_flight_build_on_each_other_instead_of_undoing_each_other()
    {
        var line = new LineSettingsCoalescer(Initial);
        line.Online(Initial);

        var first = line.Change(new ChangeLine(BaudRate: 9600), deviceOnline: true);
        var second = line.Change(new ChangeLine(Parity: Parity.Even), deviceOnline: true);

        Assert.Equal(Initial with { BaudRate = 9600 }, first);
        Assert.Equal(Initial with { BaudRate = 9600, Parity = Parity.Even }, second); // not 115200 even
    }

    [Fact]
    public void A_query_or_a_change_to_the_same_value_sends_nothing()
    {
        var line = new LineSettingsCoalescer(Initial);
        line.Online(Initial);

        Assert.Null(line.Change(ChangeLine.Query, deviceOnline: true));
        Assert.Null(line.Change(new ChangeLine(BaudRate: 115200), deviceOnline: true));
        Assert.Equal(Initial, line.InEffect);
    }

    [Fact]
    public void What_the_device_reports_is_in_effect_and_the_basis_of_the_next_change()
    {
        var line = new LineSettingsCoalescer(Initial);
        line.Online(Initial);
        line.Change(new ChangeLine(BaudRate: 250000), deviceOnline: true);
        line.Applied(Initial with { BaudRate = 250000, DataBits = 8 });

        Assert.Equal(Initial with { BaudRate = 250000 }, line.InEffect);
        Assert.Equal(Initial with { BaudRate = 250000, StopBits = StopBits.Two }, line.Change(new ChangeLine(StopBits: StopBits.Two), deviceOnline: true));
    }

    [Fact]
    public void A_change_while_the_device_is_away_is_kept_and_the_device_opens_with_it()
    {
        var line = new LineSettingsCoalescer(Initial);

        Assert.Null(line.Change(new ChangeLine(BaudRate: 9600), deviceOnline: false));
        Assert.Equal(Initial with { BaudRate = 9600 }, line.InEffect);
        Assert.Equal(Initial with { BaudRate = 9600 }, line.Open());
        Assert.Null(line.Online(Initial with { BaudRate = 9600 }));
    }

    [Fact]
    public void A_change_while_the_device_is_opening_is_applied_once_it_is_online()
    {
        var line = new LineSettingsCoalescer(Initial);
        Assert.Equal(Initial, line.Open());

        line.Change(new ChangeLine(BaudRate: 57600), deviceOnline: false);

        Assert.Equal(Initial with { BaudRate = 57600 }, line.Online(Initial));
    }

    [Fact]
    public void A_change_kept_while_offline_is_not_lost_behind_an_apply_still_in_flight()
    {
        var line = new LineSettingsCoalescer(Initial);
        line.Online(Initial);
        line.Change(new ChangeLine(BaudRate: 9600), deviceOnline: true); // in flight when the device drops

        line.Change(new ChangeLine(Parity: Parity.Odd), deviceOnline: false);

        Assert.Equal(Initial with { BaudRate = 9600, Parity = Parity.Odd }, line.Open());
    }
}
