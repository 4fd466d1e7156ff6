using System.CommandLine;
using Concentrator.Client.Rfc2217;

namespace Concentrator.Commands;

/// <summary>The HOST:PORT argument of the client commands ([v6]:port accepted).</summary>
internal static class RemoteEndPointArgument
{
    public static Argument<RemoteEndPoint> Create(string description) => new("HOST:PORT")
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (RemoteEndPoint.TryParse(text, out var remote))
            {
                return remote;
            }

            result.AddError($"expected HOST:PORT (port 1..65535), not '{text}'");
            return null;
        },
    };
}
