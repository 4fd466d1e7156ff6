using System.Diagnostics;

namespace Concentrator.IntegrationTests.Cluster;

/// <summary>
/// A network namespace made by the test, joined to this one by a veth pair on a private /30 that exists only on this
/// machine: <see cref="OutsideAddress"/> here, <see cref="InsideAddress"/> in the namespace. A blackhole route on
/// each side for the other side's address drops every packet between them (links and addresses stay up, so each
/// side still reaches itself) — a network partition without touching any real interface. Removed on dispose (the
/// namespace's processes must have been stopped first).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private readonly string _outerLink;

    private NetworkNamespace(string name, string outerLink, string outside, string inside)
    {
        Name = name;
        _outerLink = outerLink;
        OutsideAddress = outside;
        InsideAddress = inside;
    }

    public string Name { get; }

    public string OutsideAddress { get; }

    public string InsideAddress { get; }

    public static NetworkNamespace Create()
    {
        var id = Random.Shared.Next(1, 250);
        var tag = $"{Environment.ProcessId % 10000}x{id}";
        var name = "ccns" + tag;
        var outer = "ccvo" + tag; // interface names: at most 15 characters
        var inner = "ccvi" + tag;
        var outside = $"10.213.{id}.1";
        var inside = $"10.213.{id}.2";
        Run("ip", "netns", "add", name);
        var created = new NetworkNamespace(name, outer, outside, inside);
        try
        {
            Run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
            Run("ip", "link", "set", inner, "netns", name);
            Run("ip", "addr", "add", outside + "/30", "dev", outer);
            Run("ip", "link", "set", outer, "up");
            Run("ip", "netns", "exec", name, "ip", "addr", "add", inside + "/30", "dev", inner);
            Run("ip", "netns", "exec", name, "ip", "link", "set", inner, "up");
            Run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>Cuts the namespace off (true) or joins it again (false).</summary>
    public void Partition(bool cut)
    {
        var verb = cut ? "add" : "del";
        Run("ip", "route", verb, "blackhole", InsideAddress + "/32");
        Run("ip", "netns", "exec", Name, "ip", "route", verb, "blackhole", OutsideAddress + "/32");
    }

    /// <summary>Runs a command inside the namespace; returns its exit code and standard output.</summary>
    public (int ExitCode, string Output) Exec(params string[] command)
    {
        using var process = Start(["ip", "netns", "exec", Name, .. command], redirectInput: false);
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} in {Name} did not finish");
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result);
    }

    /// <summary>Starts a long-running command inside the namespace with its standard input and output redirected.</summary>
    public Process Spawn(params string[] command) => Start(["ip", "netns", "exec", Name, .. command], redirectInput: true);

    public void Dispose()
    {
        TryRun("ip", "link", "del", _outerLink); // takes its peer with it
        TryRun("ip", "netns", "del", Name);
    }

    private static Process Start(string[] command, bool redirectInput)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {command[0]}");
    }

    private static void Run(params string[] command)
    {
        using var process = Start(command, redirectInput: false);
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {error.Result}");
        }
    }

    private static void TryRun(params string[] command)
    {
        using var process = Start(command, redirectInput: false);
        process.WaitForExit();
    }
}
