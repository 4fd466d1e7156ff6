namespace Concentrator.Ports.Configuration;

/// <summary>Which config keys differ between two settings of the same port (for a reload's report and its log line).</summary>
public static class PortSettingsDiff
{
    public static IReadOnlyList<string> Keys(PortSettings before, PortSettings after)
    {
        var keys = new List<string>();
        void Check(bool differs, string key)
        {
            if (differs)
            {
                keys.Add(key);
            }
        }

        Check(before.Device != after.Device, "device");
        Check(before.Backend != after.Backend, "backend");
        Check(before.Line.BaudRate != after.Line.BaudRate, "baud");
        Check(before.Line.DataBits != after.Line.DataBits, "data-bits");
        Check(before.Line.Parity != after.Line.Parity, "parity");
        Check(before.Line.StopBits != after.Line.StopBits, "stop-bits");
        Check(before.Line.FlowControl != after.Line.FlowControl, "flow-control");
        Check(!before.Listeners.SequenceEqual(after.Listeners), "listeners");
        Check(before.Banner != after.Banner, "banner");
        Check(before.IdleTimeout != after.IdleTimeout, "idle-timeout");
        Check(before.MaxSessions != after.MaxSessions, "max-sessions");
        Check(before.KickOld != after.KickOld, "kick-old");
        Check(before.WritePolicy != after.WritePolicy, "write-policy");
        Check(before.Scrollback != after.Scrollback, "scrollback");
        Check(before.Log != after.Log, "log");
        Check(before.ReopenMinBackoff != after.ReopenMinBackoff || before.ReopenMaxBackoff != after.ReopenMaxBackoff, "reopen");
        Check(before.Escape != after.Escape, "escape");
        Check(before.Notices != after.Notices, "notices");
        Check(!before.TagList.SequenceEqual(after.TagList), "tags");
        Check(!Equals(before.Acl, after.Acl), "acl");
        Check(before.Power is null ? after.Power is not null : !before.Power.SameAs(after.Power), "power");
        Check(before.Capture != after.Capture, "capture");
        Check(!before.Triggers.SequenceEqual(after.Triggers), "triggers");
        Check(before.Recording != after.Recording, "recording");
        return keys;
    }

    /// <summary>Whether the change needs the device reopened (a different device, backend or reopen timing).</summary>
    public static bool NeedsNewLink(PortSettings before, PortSettings after) =>
        before.Device != after.Device || before.Backend != after.Backend ||
        before.ReopenMinBackoff != after.ReopenMinBackoff || before.ReopenMaxBackoff != after.ReopenMaxBackoff;
}
