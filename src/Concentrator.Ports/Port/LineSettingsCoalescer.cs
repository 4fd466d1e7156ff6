using Concentrator.Devices;

namespace Concentrator.Ports.Port;

/// <summary>
/// The line settings of one port: those in effect, and those asked of the device while applies are in flight.
/// New requests build on the newest request, not on what is in effect yet, so two sessions changing different
/// settings at once never undo each other; settings asked while the device is away are kept for its (re)open,
/// and settings asked while it was opening are applied once it is online.
/// </summary>
internal sealed class LineSettingsCoalescer(LineSettings initial)
{
    private LineSettings? _requested; // the newest settings asked of the device while applies are in flight
    private int _appliesInFlight;
    private LineSettings? _openedWith;

    /// <summary>The settings in effect (or, while the device is away, those it will open with).</summary>
    public LineSettings InEffect { get; private set; } = initial;

    /// <summary>The device is about to open: the settings to open it with.</summary>
    public LineSettings Open()
    {
        InEffect = _requested ?? InEffect;
        _openedWith = InEffect;
        return InEffect;
    }

    /// <summary>
    /// The device is online with <paramref name="reported"/>. Returns settings to apply now when a client changed
    /// them while the device was opening (and <paramref name="canApply"/>), else null: the device's report is what is in effect.
    /// </summary>
    public LineSettings? Online(LineSettings reported, bool canApply = true)
    {
        if (canApply && _openedWith is { } opened && opened != InEffect)
        {
            Request(InEffect);
            return InEffect;
        }

        InEffect = reported;
        return null;
    }

    /// <summary>
    /// A client asks for <paramref name="change"/>. Returns the settings to send to the device now, or null when
    /// there is nothing to send: nothing changes, or the device is away and the change is kept for its open.
    /// </summary>
    public LineSettings? Change(ChangeLine change, bool deviceOnline)
    {
        var basis = _requested ?? InEffect;
        var wanted = change.ApplyTo(basis);
        if (wanted == basis)
        {
            return null;
        }

        if (deviceOnline)
        {
            Request(wanted);
            return wanted;
        }

        InEffect = wanted; // remembered and applied when the device (re)opens
        if (_appliesInFlight > 0)
        {
            _requested = wanted;
        }

        return null;
    }

    /// <summary>The device applied a request and reports <paramref name="inEffect"/>.</summary>
    public void Applied(LineSettings inEffect)
    {
        InEffect = inEffect;
        if (--_appliesInFlight <= 0)
        {
            _appliesInFlight = 0;
            _requested = null;
        }
    }

    private void Request(LineSettings wanted)
    {
        _requested = wanted;
        _appliesInFlight++;
    }
}
