using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Security;

/// <summary>Users written by the real <c>concentrator passwd</c>, and a telnet client answering the login dialogue.</summary>
internal static class PasswordLogins
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static void Passwd(string usersFile, string name, string password, string? groups = null)
    {
        using var passwd = RunningProcess.Concentrator(["passwd", "--users-file", usersFile, name, .. groups is null ? Array.Empty<string>() : ["--groups", groups]]);
        passwd.Write(password + "\n");
        passwd.CloseInput();
        Assert.Equal(0, passwd.WaitForExit(Timeout));
    }

    /// <summary>Connects from <paramref name="source"/> and answers login: and Password:; what follows is the test's to read.</summary>
    public static TcpClientSession LogIn(string source, int port, string user, string password)
    {
        var client = TcpClientSession.ConnectFrom(source, port);
        client.ReadUntil("login: ", Timeout);
        client.Send(user + "\r\n");
        client.ReadUntil("Password: ", Timeout);
        client.Send(password + "\r\n");
        return client;
    }
}
