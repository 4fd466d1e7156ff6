namespace Concentrator.Ports.Channels;

/// <summary>A channel failed: the connection broke, or the client failed the transport's handshake.</summary>
public sealed class SessionChannelException(string message, Exception? inner = null) : Exception(message, inner);
