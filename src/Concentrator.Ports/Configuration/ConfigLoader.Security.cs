using Akka.Configuration.Hocon;
using Concentrator.Ports.Security;

namespace Concentrator.Ports.Configuration;

/// <summary>
/// The security part of the config: <c>concentrator.security</c>, each listener's <c>tls</c>, <c>auth</c>,
/// <c>allow</c> and <c>deny</c>, and each port's <c>acl</c>. PEM files and the users file are read and checked here, so
/// a bad certificate or a bad users-file line stops the daemon before it binds, like any other config error.
/// </summary>
public static partial class ConfigLoader
{
    private static readonly string[] SecurityKeys =
    [
        "users-file", "max-connections-per-source", "accept-rate-per-source", "handshake-timeout", "login-attempts",
        "ssh-entry-socket", "ssh-entry-group", "ssh-user-ca", "ssh-console-account",
    ];

    private static readonly string[] AclKeys = ["read-write", "read-only"];

    private sealed partial class Reader
    {
        private const string SecurityPrefix = "security.";

        private SecuritySettings? ReadSecurity(HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(null, "concentrator.security", Show(value), "must be an object { users-file = ..., max-connections-per-source = 32, ... }");
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, SecurityKeys, null, SecurityPrefix);
            HoconValue? Get(string key) => o.Items.GetValueOrDefault(key);
            var defaults = SecuritySettings.Default;
            var limits = new SourceLimits(
                Int(null, SecurityPrefix + "max-connections-per-source", Get("max-connections-per-source"), defaults.Limits.MaxConnectionsPerSource, 0, 1_000_000),
                Int(null, SecurityPrefix + "accept-rate-per-source", Get("accept-rate-per-source"), defaults.Limits.AcceptRatePerSource, 0, 1_000_000),
                Int(null, SecurityPrefix + "login-attempts", Get("login-attempts"), defaults.Limits.LoginAttempts, 0, 1_000_000));
            var handshake = Duration(null, SecurityPrefix + "handshake-timeout", Get("handshake-timeout"), defaults.HandshakeTimeout);
            if (handshake <= TimeSpan.Zero)
            {
                Error(null, SecurityPrefix + "handshake-timeout", Show(Get("handshake-timeout")!), "must be longer than 0s: a client that never finishes must be closed");
                handshake = defaults.HandshakeTimeout;
            }

            var usersFile = Get("users-file")?.GetString() is { Length: > 0 } u ? FullPath(u) : null;
            var users = usersFile is null ? UserDirectory.Empty : ReadUsers(usersFile);
            var sshSocket = Get("ssh-entry-socket")?.GetString() is { Length: > 0 } s ? FullPath(s) : null;
            var sshGroup = Get("ssh-entry-group")?.GetString() is { Length: > 0 } g ? g : null;
            if (sshGroup is not null && !UserDirectory.IsValidName(sshGroup))
            {
                Error(null, SecurityPrefix + "ssh-entry-group", sshGroup, "expected a group name of this system");
            }

            var sshUserCa = Get("ssh-user-ca")?.GetString() is { Length: > 0 } ca ? FullPath(ca) : null;
            if (sshUserCa is not null)
            {
                CheckSshUserCa(sshUserCa);
            }

            var console = Get("ssh-console-account")?.GetString() is { Length: > 0 } account ? account : SecuritySettings.DefaultSshConsoleAccount;
            if (!UserDirectory.IsValidName(console))
            {
                Error(null, SecurityPrefix + "ssh-console-account", console, "expected an account name of this system, e.g. \"console\"");
            }
            else if (sshSocket is not null && Listener.SshEntryIdentity.MayNotBeConsole(console))
            {
                Error(null, SecurityPrefix + "ssh-console-account", console,
                    $"must be an account of its own: not root, not the account the daemon runs as ({Environment.UserName}), whose programs " +
                    "(exec: devices, power and trigger commands) could then claim any principal");
            }

            return new SecuritySettings(usersFile, users, limits, handshake, sshSocket, sshGroup, sshUserCa, console);
        }

        /// <summary>The CA's public key, read now: a missing or garbled file stops the daemon, not a login later.</summary>
        private void CheckSshUserCa(string path)
        {
            const string key = SecurityPrefix + "ssh-user-ca";
            try
            {
                if (Security.Ssh.SshPublicKey.Parse(File.ReadAllText(path), out var problem) is null)
                {
                    Error(null, key, path, $"not an SSH public key (ssh-keygen's CA .pub file): {problem}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(null, key, path, $"cannot read the SSH user CA's public key: {e.Message}");
            }
        }

        private UserDirectory ReadUsers(string path)
        {
            const string key = SecurityPrefix + "users-file";
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(null, key, path, $"cannot read the users file: {e.Message} (create it with `concentrator passwd --users-file {path} NAME`)");
                return UserDirectory.Empty;
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                Error(null, key, path, $"the users file is readable or writable by others; run chmod 600 {path}");
            }

            var problems = new List<(int Line, string Problem)>();
            var users = UserDirectory.Parse(text, problems);
            foreach (var (line, problem) in problems)
            {
                Error(null, key, $"{path} line {line}", problem);
            }

            return users;
        }

        private (TlsSettings? Tls, ListenerAuthentication Auth, SourceFilter? Sources) ReadListenerSecurity(
            string? port, HoconObject l, string prefix, ListenerProtocol protocol, System.Net.IPAddress bind)
        {
            HoconValue? Get(string key) => l.Items.GetValueOrDefault(key);
            var auth = Enum(port, prefix + "auth", Get("auth"), ListenerAuthentication.None,
                ("none", ListenerAuthentication.None), ("password", ListenerAuthentication.Password), ("certificate", ListenerAuthentication.Certificate));
            var tls = ReadTls(port, prefix, Get("tls"), auth);
            if (auth == ListenerAuthentication.Password && protocol == ListenerProtocol.Raw)
            {
                Error(port, prefix + "auth", "password", "a raw listener cannot ask for a password (it has no prompts); use telnet or rfc2217, or auth = certificate");
            }

            // A password typed at a listener other machines reach crosses the network in the clear unless TLS wraps it.
            var plaintext = Bool(port, prefix + "allow-plaintext-passwords", Get("allow-plaintext-passwords"), false);
            if (auth == ListenerAuthentication.Password && tls is null && !System.Net.IPAddress.IsLoopback(bind) && !plaintext)
            {
                Error(port, prefix + "auth", "password", $"passwords would cross the network in the clear on {bind}: add tls {{ certificate, key }} " +
                    "to this listener, bind it to loopback, or say allow-plaintext-passwords = on (a network you trust completely)");
            }

            if (auth == ListenerAuthentication.Certificate && tls?.ClientCertificates is null or ClientCertificateMode.Off)
            {
                Error(port, prefix + "auth", "certificate",
                    "needs tls { ..., client-ca = \"ca.crt\", client-certificate = required } on this listener");
            }

            var allow = ReadNetworks(port, prefix + "allow", Get("allow"));
            var deny = ReadNetworks(port, prefix + "deny", Get("deny"));
            var sources = allow.Count + deny.Count > 0 ? new SourceFilter(allow, deny) : null;
            return (tls, auth, sources);
        }

        private AccessControlList? ReadAcl(string port, HoconValue? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!value.IsObject())
            {
                Error(port, "acl", Show(value), "must be an object { read-write = [\"alice\", \"@ops\"], read-only = [\"*\"] }");
                return null;
            }

            var o = value.GetObject();
            CheckKeys(o, AclKeys, port, "acl.");
            return new AccessControlList(ReadPrincipals(port, "acl.read-write", o.Items.GetValueOrDefault("read-write")),
                ReadPrincipals(port, "acl.read-only", o.Items.GetValueOrDefault("read-only")));
        }

        private List<string> ReadPrincipals(string port, string key, HoconValue? value)
        {
            var entries = new List<string>();
            if (value is null || IsEmptyList(value))
            {
                return entries;
            }

            if (!value.IsArray())
            {
                Error(port, key, Show(value), "expected a list, e.g. [\"alice\", \"@ops\", \"cert:ci-runner\", \"ssh:bob\", \"*\"]");
                return entries;
            }

            foreach (var item in value.GetArray())
            {
                var entry = Show(item);
                if (AccessControlList.Problem(entry) is { } problem)
                {
                    Error(port, key, entry, problem);
                }
                else
                {
                    entries.Add(entry);
                }
            }

            return entries;
        }

        /// <summary>
        /// Akka's HOCON reads <c>deny = [] }</c> as an empty array plus the whitespace after it, and then does not call it
        /// an array; it is an empty list.
        /// </summary>

        /// <summary>A password listener with no users file could never let anyone in: an error, not a surprise at login.</summary>
        private void CheckPasswordListeners(List<PortSettings> ports, DiscoverySettings? discovery, SecuritySettings? security)
        {
            if (security?.UsersFile is not null)
            {
                return;
            }

            var all = ports.Select(p => (p.Name, p.Listeners)).Concat(discovery is null ? [] : [("discovery", discovery.Template.Listeners)]);
            foreach (var (name, listeners) in all)
            {
                foreach (var listener in listeners.Where(l => l.Auth == ListenerAuthentication.Password))
                {
                    Error(name, "auth", "password", $"listener {listener.EndPoint} asks for passwords, but concentrator.security.users-file is not set");
                }
            }
        }
    }
}
