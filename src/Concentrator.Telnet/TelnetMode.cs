namespace Concentrator.Telnet;

/// <summary>Which protocol a listening port speaks.</summary>
public enum TelnetMode
{
    /// <summary>Plain telnet: COM-PORT-OPTION (44) is refused.</summary>
    Telnet,
    /// <summary>Telnet plus RFC 2217: the server sends DO COM-PORT-OPTION and parses its commands.</summary>
    Rfc2217,
}
