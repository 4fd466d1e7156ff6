using Akka.Actor;
using Akka.Event;
using Concentrator.Ports.Configuration;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Port;

/// <summary>A reload that changes the port's ACL applies to the sessions already connected, not only to new ones.</summary>
public sealed partial class PortActor
{
    /// <summary>
    /// Sessions the new ACL no longer admits are closed with a notice; those it now only lets read become monitors (the
    /// write arbiter is rebuilt and each session whose right changed is told). Sessions it would now let write stay as
    /// they are: more access takes a new connection.
    /// </summary>
    private void ReapplyAcl(AccessControlList? acl)
    {
        var narrowed = false;
        foreach (var (session, entry) in _sessions.ToList())
        {
            switch (acl?.Grant(entry.Principal) ?? AclGrant.ReadWrite)
            {
                case AclGrant.None:
                    _log.Info("port {0}: closing session {1} ({2}): no longer in the acl", _settings.Name, entry.Id, entry.Principal.Name);
                    session.Tell(new CloseSession($"{entry.Principal.Name} may no longer use port {_settings.Name} (acl changed)", "removed by the acl"));
                    break;
                case AclGrant.ReadOnly when entry.Listener.Access == SessionAccess.ReadWrite:
                    _sessions[session] = entry with { Listener = entry.Listener with { Access = SessionAccess.ReadOnly } };
                    narrowed = true;
                    break;
            }
        }

        if (narrowed)
        {
            ChangeWritePolicy(_settings.WritePolicy, "the acl now lets this session only read");
        }
    }
}
