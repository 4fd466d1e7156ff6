namespace Concentrator.Ports.Port;

/// <summary>
/// DTR, RTS and the break condition of one port as clients set them, and which session holds the break: a client
/// that leaves with BREAK on must not leave the line in break for everyone else. Kept by the port even for devices
/// that lack the lines (a pty), so clients read back what they set. No Akka: the owner is whatever identifies a session.
/// </summary>
internal sealed class ControlLines<TOwner> where TOwner : class
{
    private TOwner? _breakOwner;
    private (bool Dtr, bool Rts) _openedWith = (true, true);

    public bool Dtr { get; private set; } = true;

    public bool Rts { get; private set; } = true;

    public bool Break { get; private set; }

    /// <summary>Applies a client's change (null = keep); returns whether any line was named, so the device should be told.</summary>
    public bool Change(bool? dtr, bool? rts, bool? brk, TOwner by)
    {
        Dtr = dtr ?? Dtr;
        Rts = rts ?? Rts;
        if (brk is { } on)
        {
            Break = on;
            _breakOwner = on ? by : null;
        }

        return (dtr ?? rts ?? brk) is not null;
    }

    /// <summary>The device is about to open with DTR and RTS as they are now; it starts without a break condition.</summary>
    public void Open()
    {
        _openedWith = (Dtr, Rts);
        Break = false;
        _breakOwner = null;
    }

    /// <summary>Whether a client changed DTR or RTS while the device was opening (they must be set once it is online).</summary>
    public bool ChangedSinceOpen => (Dtr, Rts) != _openedWith;

    /// <summary>A session left; returns true when it held the break, which is now cleared and must be cleared on the device.</summary>
    public bool OwnerLeft(TOwner owner)
    {
        if (!Break || !EqualityComparer<TOwner?>.Default.Equals(owner, _breakOwner))
        {
            return false;
        }

        Break = false;
        _breakOwner = null;
        return true;
    }
}
