using Concentrator.Devices;

namespace Concentrator.Ports.Management;

/// <summary>
/// Line settings in the config's words: <c>{"baud":9600,"dataBits":8,"parity":"even","stopBits":"1","flowControl":"none"}</c>.
/// The one JSON view of <see cref="LineSettings"/>: the management API shows it as is, the dashboard derives its own
/// from it adding the short form (not sealed for that; derived rather than wrapped so the JSON stays flat).
/// </summary>
public record LineView(int Baud, int DataBits, string Parity, string StopBits, string FlowControl)
{
    public static LineView From(LineSettings line) =>
        new(line.BaudRate, line.DataBits, LineWords.Of(line.Parity), LineWords.Of(line.StopBits), LineWords.Of(line.FlowControl));

    /// <summary>"9600 8E1", as the daemon log and serve --check write it.</summary>
    public override string ToString() =>
        $"{Baud} {DataBits}{char.ToUpperInvariant(Parity[0])}{StopBits}{(FlowControl == LineWords.Of(Devices.FlowControl.None) ? "" : " " + FlowControl)}";
}
