using System.Net.Sockets;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;

namespace Concentrator.Ports.Port;

/// <summary>Where a port's device is in its life.</summary>
public enum DeviceState { Opening, Online, Offline }

/// <summary>Listener -> port: a client connected; the port admits it (starts a session) or refuses it.</summary>
public sealed record ClientConnected(Socket Socket, ListenerSettings Listener);

/// <summary>Session -> port: bytes a client typed, for the device. The port acknowledges with a WriteCompleted.</summary>
public sealed record SessionInput(byte[] Data);

/// <summary>Port -> sessions: the device went online or offline.</summary>
public sealed record PortStatusChanged(string Port, DeviceState State, string Detail);

/// <summary>Anyone -> port: report status (for tests, the management API and the CLI).</summary>
public sealed record GetPortStatus
{
    public static GetPortStatus Instance { get; } = new();
}

/// <summary>A port's status.</summary>
public sealed record PortStatus(
    string Name,
    DeviceState State,
    string? KernelNode,
    LineSettings Line,
    int Sessions,
    long BytesFromDevice,
    long BytesToDevice,
    long BytesDiscarded);
