using Akka.Actor;
using Concentrator.Ports.Management;

namespace Concentrator.Ports.Port;

/// <summary>
/// What the web dashboard needs of a port: sessions whose client connected to the web server (the browser
/// terminal), the scrollback as a download, and change events so an open dashboard is pushed what changed.
/// </summary>
public sealed partial class PortActor
{
    private void ReceiveWeb()
    {
        Receive<ConnectClient>(connect =>
        {
            OnClientConnected(new ClientConnected(connect.Channel, connect.Listener));
            Sender.Tell(new Done($"session starting on port {_settings.Name}"));
        });
        Receive<GetScrollback>(get =>
        {
            // The same right as watching the port: an ACL that lists the principal nowhere refuses it.
            if (_settings.Acl is { } acl && acl.Grant(get.Principal) == Security.AclGrant.None)
            {
                Sender.Tell(new ScrollbackRefused(_settings.Name, $"{get.Principal.Name} may not use port {_settings.Name}"));
                return;
            }

            DrainOutput();
            Sender.Tell(new ScrollbackData(_settings.Name, _scrollback.Snapshot()));
        });
    }

    /// <summary>Tells whoever watches (the dashboard's event feed) that this port's snapshot changed; cheap when nobody does.</summary>
    private void Changed(string what) => Context.System.EventStream.Publish(new PortChanged(_settings.Name, what));
}
