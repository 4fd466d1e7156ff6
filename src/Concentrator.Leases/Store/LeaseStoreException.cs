namespace Concentrator.Leases.Store;

/// <summary>The lease store cannot be used; the message says why in an operator's words and names the store.</summary>
public sealed class LeaseStoreException : Exception
{
    public LeaseStoreException()
    {
    }

    public LeaseStoreException(string message) : base(message)
    {
    }

    public LeaseStoreException(string message, Exception inner) : base(message, inner)
    {
    }
}
