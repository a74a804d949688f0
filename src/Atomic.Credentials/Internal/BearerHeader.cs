using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Internal;

/// <summary>
/// The Authorization steps every kind with cached material shares (OAuth tokens, key-pair JWTs):
/// the cached value is the whole header value ("Bearer …"), so applying it allocates nothing, and a
/// rejection evicts only the value the rejected request carried.
/// </summary>
internal static class BearerHeader
{
    public static void Apply(HttpRequestMessage request, CachedCredential entry) =>
        HeaderNames.Set(request, HeaderNames.Authorization, entry.Value);

    public static void Remove(HttpRequestMessage request) => request.Headers.Remove(HeaderNames.Authorization);

    /// <summary>Evicts the value this request carried; a newer one, obtained meanwhile, stays.</summary>
    public static ValueTask EvictAsync(ICredentialCache cache, string cacheKey, HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.Headers.TryGetValues(HeaderNames.Authorization, out var values) && values.FirstOrDefault() is { } rejected
            ? cache.RemoveAsync(cacheKey, rejected, cancellationToken)
            : ValueTask.CompletedTask;
}
