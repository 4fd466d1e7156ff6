using Concentrator.Ports.Management;

namespace Concentrator.Ports.Automation;

/// <summary>
/// Front end -> port (through the supervisor, this node only): the port's output capture, for expect and the output
/// stream. Needs read on the port (its ACL lists the principal); answered <see cref="CaptureOpened"/> or
/// <see cref="ActionRefused"/>.
/// </summary>
public sealed record OpenCapture(string Port, Requester By);

/// <summary>The port's capture: the caller reads it off the port's threads. A local object: never crosses nodes.</summary>
public sealed record CaptureOpened(string Port, OutputCapture Capture);

/// <summary>
/// Front end -> port: write <paramref name="Data"/> to the device as an automation (expect's send), through the port's
/// data plane like a session's bytes. The port checks the requester as for any action (ACL read-write, lease holder);
/// answered <see cref="Done"/>, <see cref="ActionRefused"/> or <see cref="PortOffline"/>.
/// </summary>
public sealed record SendToPort(string Port, byte[] Data, Requester By);
