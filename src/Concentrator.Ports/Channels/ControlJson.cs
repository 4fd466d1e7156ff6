using System.Text.Json;
using Concentrator.Ports.Port;

namespace Concentrator.Ports.Channels;

/// <summary>
/// The browser terminal's control messages as small JSON objects with a "type" (the WebSocket text frames).
/// Client to server: <c>{"type":"resize","cols":120,"rows":40}</c>, <c>{"type":"break"}</c>,
/// <c>{"type":"write","action":"ask"|"force"|"release"}</c>, <c>{"type":"replay"}</c>, <c>{"type":"who"}</c>.
/// Server to client: <c>{"type":"session","id":3,"port":"demo"}</c>, <c>{"type":"role","canWrite":true,"reason":"..."}</c>,
/// <c>{"type":"closed","reason":"..."}</c>.
/// </summary>
public static class ControlJson
{
    /// <summary>The longest control message read; longer ones are dropped unread.</summary>
    public const int MaxMessageBytes = 1024;

    /// <summary>The client's message, or null when it is malformed or unknown (dropped: a newer page must not break an older server).</summary>
    public static ClientControl? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? type = null, action = null;
            int cols = 0, rows = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    return null;
                }

                switch (name)
                {
                    case "type" when reader.TokenType == JsonTokenType.String:
                        type = reader.GetString();
                        break;
                    case "action" when reader.TokenType == JsonTokenType.String:
                        action = reader.GetString();
                        break;
                    case "cols" when reader.TokenType == JsonTokenType.Number:
                        cols = reader.TryGetInt32(out var c) ? c : 0;
                        break;
                    case "rows" when reader.TokenType == JsonTokenType.Number:
                        rows = reader.TryGetInt32(out var r) ? r : 0;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return type switch
            {
                "resize" when cols is > 0 and <= 10_000 && rows is > 0 and <= 10_000 => new ResizeControl(cols, rows),
                "break" => BreakControl.Instance,
                "replay" => ReplayControl.Instance,
                "who" => WhoControl.Instance,
                "write" => action switch
                {
                    "ask" => new WriteControl(WriteLockAction.Ask),
                    "force" => new WriteControl(WriteLockAction.Force),
                    "release" => new WriteControl(WriteLockAction.Release),
                    _ => null,
                },
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The message as UTF-8 JSON.</summary>
    public static byte[] Encode(ServerControl message)
    {
        using var buffer = new MemoryStream(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            switch (message)
            {
                case SessionStartedControl started:
                    writer.WriteString("type", "session");
                    writer.WriteNumber("id", started.Id);
                    writer.WriteString("port", started.Port);
                    break;
                case RoleControl role:
                    writer.WriteString("type", "role");
                    writer.WriteBoolean("canWrite", role.CanWrite);
                    writer.WriteString("reason", role.Reason);
                    break;
                case ClosedControl closed:
                    writer.WriteString("type", "closed");
                    writer.WriteString("reason", closed.Reason);
                    break;
                default:
                    throw new ArgumentException($"no JSON form for {message.GetType().Name}", nameof(message));
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
