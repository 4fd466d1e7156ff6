namespace Concentrator.Devices;

/// <summary>
/// Modem status inputs. The values are RFC 2217's NOTIFY-MODEMSTATE state bits so they pass to the
/// protocol unchanged.
/// </summary>
[Flags]
public enum ModemStatus : byte
{
    None = 0,
    ClearToSend = 0x10,
    DataSetReady = 0x20,
    RingIndicator = 0x40,
    CarrierDetect = 0x80,
}

/// <summary>Which buffers a purge empties.</summary>
[Flags]
public enum PurgeTarget { Receive = 1, Transmit = 2, Both = Receive | Transmit }

/// <summary>What a device can really do; anything else is emulated by the layers above.</summary>
[Flags]
public enum DeviceCapabilities
{
    None = 0,
    /// <summary>DTR and RTS outputs can be driven.</summary>
    ControlLines = 1,
    /// <summary>CTS/DSR/RI/CD can be read.</summary>
    ModemStatus = 2,
    /// <summary>A break condition can be sent.</summary>
    Break = 4,
    /// <summary>Mark and space parity are supported.</summary>
    MarkSpaceParity = 8,
}
