using Concentrator.Leases.Domain;

namespace Concentrator.Leases.Tests.Support;

/// <summary>Predictable lease ids and tokens: L1, L2, ... and token-1, token-2, ...</summary>
internal sealed class CountingIdentities : ILeaseIdentities
{
    private int _ids;
    private int _tokens;

    public string NewId() => "L" + Interlocked.Increment(ref _ids);

    public string NewToken() => "token-" + Interlocked.Increment(ref _tokens);
}
