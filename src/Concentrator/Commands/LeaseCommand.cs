using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Concentrator.Api;
using Concentrator.Api.Leases;
using Concentrator.Management;

namespace Concentrator.Commands;

/// <summary>
/// <c>concentrator lease acquire|renew|release|list|revoke</c>: the lease API from the command line. Acquire prints the
/// grant as JSON (lease, port, endpoint, token, epoch, expires) and exits 3 when nothing was granted within --wait.
/// </summary>
public static class LeaseCommand
{
    public static Command Create() => new("lease", "Lease ports of the running daemon: only the holder writes while it lasts")
    {
        Acquire(), Renew(), Release(), List(), Revoke(),
    };

    private static Command Acquire()
    {
        var api = new ApiOptions();
        var name = new Argument<string?>("NAME") { Description = "The port to lease (or --tag)", Arity = ArgumentArity.ZeroOrOne };
        var tags = new Option<string[]>("--tag") { Description = "Lease any port with all these tags (repeat for more)", HelpName = "TAG",
            AllowMultipleArgumentsPerToken = false };
        var ttl = new Option<string>("--ttl") { Description = "How long the lease lasts unless renewed, e.g. 10m", HelpName = "DURATION", Required = true };
        var wait = new Option<string?>("--wait") { Description = "How long to wait for a busy port (default: answer at once)", HelpName = "DURATION" };
        var holder = new Option<string?>("--holder") { Description = "Who holds it (default: the API principal)", HelpName = "WHO" };
        var forHost = new Option<string?>("--for-host") { Description = "The IP address whose connections write while it lasts", HelpName = "IP" };
        var priority = new Option<int>("--priority") { Description = "Higher waits less (default 0)", HelpName = "N" };
        var requestId = new Option<string?>("--request-id") { Description = "Makes a retry safe: the same id gets the same lease back", HelpName = "ID" };
        var command = new Command("acquire", "Lease a port by name or by tags; prints the lease (with its token) as JSON")
        {
            name, tags, ttl, wait, holder, forHost, priority, requestId,
        };
        api.AddTo(command);
        command.Validators.Add(result =>
        {
            var hasName = result.GetValue(name) is not null;
            var hasTags = result.GetValue(tags) is { Length: > 0 };
            if (hasName == hasTags)
            {
                result.AddError("lease acquire: name a port (NAME) or tags (--tag T ...), not both and not neither");
            }
        });
        command.SetAction(async (parse, _) =>
        {
            var waitText = parse.GetValue(wait);
            var waitSpan = waitText is not null && LeaseDuration.TryParse(waitText, out var w) ? w : TimeSpan.Zero;
            var tagList = parse.GetValue(tags) is { Length: > 0 } t ? t.ToList() : null;
            var request = new LeaseAcquireRequest(parse.GetValue(name), tagList, parse.GetRequiredValue(ttl), waitText, parse.GetValue(holder),
                parse.GetValue(forHost), parse.GetValue(priority), parse.GetValue(requestId));
            using var client = api.Client(parse);
            var answer = await client.SendAsync(HttpMethod.Post, "/api/leases", JsonSerializer.Serialize(request, ApiJsonContext.Default.LeaseAcquireRequest),
                ApiJsonContext.Default.LeaseGrantView, timeout: waitSpan + TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (!answer.Ok)
            {
                Console.Error.WriteLine($"concentrator: lease acquire: {answer.Error}");
                return answer.Status == 409 ? ExitCodes.NotGranted : answer.ExitCode;
            }

            Console.Out.WriteLine(JsonSerializer.Serialize(answer.Value!, ApiJsonContext.Default.LeaseGrantView));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Renew()
    {
        var api = new ApiOptions();
        var id = new Argument<string>("ID") { Description = "The lease id" };
        var token = TokenOption();
        var ttl = new Option<string?>("--ttl") { Description = "Extend to now + this (default: the lease's own TTL)", HelpName = "DURATION" };
        var command = new Command("renew", "Extend a lease (with its token)") { id, token, ttl };
        api.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var body = JsonSerializer.Serialize(new LeaseRenewRequest(parse.GetValue(ttl)), ApiJsonContext.Default.LeaseRenewRequest);
            using var client = api.Client(parse);
            var answer = await client.SendAsync(HttpMethod.Post, $"/api/leases/{Uri.EscapeDataString(parse.GetRequiredValue(id))}/renew", body,
                ApiJsonContext.Default.LeaseView, leaseToken: parse.GetRequiredValue(token)).ConfigureAwait(false);
            return Print(answer, "renew", parse.GetValue(api.Json), l => $"lease {l.Id} on {l.Port} renewed until {Time(l.Expires)}");
        });
        return command;
    }

    private static Command Release()
    {
        var api = new ApiOptions();
        var id = new Argument<string>("ID") { Description = "The lease id" };
        var token = TokenOption();
        var command = new Command("release", "End a lease early (with its token); the port goes to the next waiter") { id, token };
        api.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            using var client = api.Client(parse);
            var answer = await client.SendAsync(HttpMethod.Delete, $"/api/leases/{Uri.EscapeDataString(parse.GetRequiredValue(id))}", null,
                ApiJsonContext.Default.LeaseView, leaseToken: parse.GetRequiredValue(token)).ConfigureAwait(false);
            return Print(answer, "release", parse.GetValue(api.Json), l => $"lease {l.Id} on {l.Port} released");
        });
        return command;
    }

    private static Command Revoke()
    {
        var api = new ApiOptions();
        var id = new Argument<string>("ID") { Description = "The lease id" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the audit trail)", HelpName = "TEXT" };
        var command = new Command("revoke", "End someone's lease (needs an admin token)") { id, reason };
        api.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            var body = JsonSerializer.Serialize(new LeaseRevokeRequest(parse.GetValue(reason)), ApiJsonContext.Default.LeaseRevokeRequest);
            using var client = api.Client(parse);
            var answer = await client.SendAsync(HttpMethod.Post, $"/api/leases/{Uri.EscapeDataString(parse.GetRequiredValue(id))}/revoke", body,
                ApiJsonContext.Default.LeaseView).ConfigureAwait(false);
            return Print(answer, "revoke", parse.GetValue(api.Json), l => $"lease {l.Id} on {l.Port} revoked");
        });
        return command;
    }

    private static Command List()
    {
        var api = new ApiOptions();
        var command = new Command("list", "The leases in force (never their tokens) and who waits");
        api.AddTo(command);
        command.SetAction(async (parse, _) =>
        {
            using var client = api.Client(parse);
            var answer = await client.GetAsync("/api/leases", ApiJsonContext.Default.LeaseListView).ConfigureAwait(false);
            if (!answer.Ok)
            {
                Console.Error.WriteLine($"concentrator: lease list: {answer.Error}");
                return answer.ExitCode;
            }

            if (parse.GetValue(api.Json))
            {
                Console.Out.WriteLine(answer.Json);
                return ExitCodes.Ok;
            }

            var list = answer.Value!;
            Console.Out.Write(PortTable.Leases(list.Leases));
            if (list.Waiting.Count > 0)
            {
                Console.Out.WriteLine();
                Console.Out.Write(PortTable.Waiters(list.Waiting));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string> TokenOption() =>
        new("--token") { Description = "The lease's token (printed by lease acquire)", HelpName = "TOKEN", Required = true };

    private static int Print(ApiAnswer<LeaseView> answer, string verb, bool json, Func<LeaseView, string> text)
    {
        if (!answer.Ok)
        {
            Console.Error.WriteLine($"concentrator: lease {verb}: {answer.Error}");
            return answer.ExitCode;
        }

        Console.Out.WriteLine(json ? answer.Json : text(answer.Value!));
        return ExitCodes.Ok;
    }

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
