namespace Atomic.Credentials.Internal;

/// <summary>
/// What a handler derives once from one options instance (the guard, a precomputed header, a
/// cache key), so the per-request path only reads it. A reload brings a new instance.
/// </summary>
internal class CredentialState(CredentialOptions options)
{
    public CredentialGuard Guard { get; } = new(options);

    /// <summary>Lets go of what the state holds between requests (a remembered token and its timer): nothing uses it any more.</summary>
    public virtual void Release()
    {
    }
}
