namespace Concentrator.Ports.Power;

/// <summary>What an operator can ask of a port's power.</summary>
public enum PowerAction { On, Off, Cycle, Status }

/// <summary>The words of <see cref="PowerAction"/> as the API, the CLI and the config write them.</summary>
public static class PowerActions
{
    public static IReadOnlyList<string> Words { get; } = ["on", "off", "cycle", "status"];

    public static string Word(PowerAction action) => Words[(int)action];

    public static bool TryParse(string? word, out PowerAction action)
    {
        var index = word is null ? -1 : Words.ToList().IndexOf(word.Trim().ToLowerInvariant());
        action = index < 0 ? PowerAction.Status : (PowerAction)index;
        return index >= 0;
    }
}

/// <summary>
/// A port's power control: one argv per action (run without a shell), either configured directly or built for IPMI
/// (<c>ipmitool -I lanplus -H host -U user -f password-file chassis power ACTION</c>: the password is read by ipmitool
/// from the file, so it is never on a command line or in a log).
/// </summary>
/// <param name="Commands">The argv of each action that is configured.</param>
/// <param name="Timeout">How long an action may run before it is killed and reported failed.</param>
/// <param name="Kind">"commands" or "ipmi HOST", for logs and the port view.</param>
public sealed record PowerSettings(IReadOnlyDictionary<PowerAction, IReadOnlyList<string>> Commands, TimeSpan Timeout, string Kind)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Every action as ipmitool against a BMC (<c>chassis power ACTION</c>), the password read from a file.</summary>
    /// <remarks>The cipher suite is ipmitool's -C, or null to let it ask the BMC (one that does not answer costs retries).</remarks>
    public static PowerSettings Ipmi(string host, int port, string user, string passwordFile, TimeSpan timeout, int? cipherSuite = null,
        string ipmitool = "ipmitool")
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var commands = new Dictionary<PowerAction, IReadOnlyList<string>>();
        foreach (var action in Enum.GetValues<PowerAction>())
        {
            commands[action] = [ipmitool, "-I", "lanplus", .. cipherSuite is { } c ? new[] { "-C", c.ToString(invariant) } : [],
                "-H", host, "-p", port.ToString(invariant), "-U", user, "-f", passwordFile, "chassis", "power", PowerActions.Word(action)];
        }

        return new PowerSettings(commands, timeout, $"ipmi {host}:{port}");
    }

    /// <summary>Same commands, timeout and kind (the dictionary compared by content), for reload diffs.</summary>
    public bool SameAs(PowerSettings? other) =>
        other is not null && Timeout == other.Timeout && Kind == other.Kind && Commands.Count == other.Commands.Count &&
        Commands.All(c => other.Commands.TryGetValue(c.Key, out var argv) && argv.SequenceEqual(c.Value));
}
