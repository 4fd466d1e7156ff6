namespace Concentrator.Ports.Security;

/// <summary>Recognises the start of a TLS ClientHello, so a TLS client on a plain listener is named as such in the log.</summary>
public static class TlsProbe
{
    /// <summary>A TLS handshake record (0x16), version 3.x, carrying a ClientHello (handshake type 1).</summary>
    public static bool IsClientHello(ReadOnlySpan<byte> first) =>
        first.Length >= 6 && first[0] == 0x16 && first[1] == 0x03 && first[2] <= 0x04 && first[5] == 0x01;
}
