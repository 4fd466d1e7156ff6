namespace Concentrator.Ports.DataPlane;

/// <summary>What became of a write when it was handed to <see cref="PortDataPlane.Write"/>.</summary>
public enum WriteOutcome
{
    /// <summary>The device took every byte at once.</summary>
    Written,

    /// <summary>In the device queue (behind earlier work, or held while the device is not online); completed later.</summary>
    Queued,

    /// <summary>The writer has no permit: nothing was written.</summary>
    NotPermitted,

    /// <summary>The device is not online and the hold is full or its grace is over: nothing was written.</summary>
    Discarded,
}

/// <summary>How a queued write ended (told to its <see cref="DeviceInput"/>'s completion).</summary>
public enum WriteResult
{
    /// <summary>Every byte reached the device.</summary>
    Written,

    /// <summary>The writer lost its permit before these bytes went out: none of them did.</summary>
    Revoked,

    /// <summary>Held while the device was not online, and the device did not come back within the grace.</summary>
    Discarded,

    /// <summary>The port closed with the bytes still queued.</summary>
    Closed,
}
