namespace Atomic.Credentials.Caching;

/// <summary>
/// Where obtained credential material (OAuth tokens, key-pair JWTs) is kept between requests.
/// </summary>
/// <remarks>
/// Every implementation the library ships guarantees, and a custom one should too:
/// one factory call per key however many callers miss at once (in one process); a caller's
/// cancellation ends only its own wait, never the shared fetch; failures are not cached;
/// an entry past <see cref="CachedCredential.RefreshAt"/> is still served while a single
/// background refresh replaces it. Keys given to the cache are already hashed and carry no secret.
/// </remarks>
public interface ICredentialCache
{
    /// <summary>
    /// Returns the entry for <paramref name="key"/>, calling <paramref name="factory"/> once when
    /// there is none that may still be served.
    /// </summary>
    /// <param name="key">An opaque key without secrets.</param>
    /// <param name="factory">Obtains a new entry. It receives a token that the cache owns, not the caller's.</param>
    /// <param name="cancellationToken">Ends this caller's wait only.</param>
    ValueTask<CachedCredential> GetOrCreateAsync(
        string key,
        Func<CancellationToken, Task<CachedCredential>> factory,
        CancellationToken cancellationToken);

    /// <summary>Evicts the entry for <paramref name="key"/> if it still holds <paramref name="value"/>.</summary>
    /// <param name="key">The key the entry was stored under.</param>
    /// <param name="value">The value that was rejected; a newer value is left in place.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken);
}
