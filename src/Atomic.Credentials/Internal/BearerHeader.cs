using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Internal;

/// <summary>
/// The Authorization steps every kind with cached material shares (OAuth tokens, key-pair JWTs):
/// the cached value is the whole header value ("Bearer …"), so applying it allocates nothing, and a
/// rejection evicts only the value the rejected request carried.
/// </summary>
internal static class BearerHeader
{
    /// <summary>The authentication scheme of RFC 6750.</summary>
    public const string Scheme = "Bearer";

    /// <summary>What a cached value starts with: the scheme and its space.</summary>
    public const string Prefix = Scheme + " ";

    public static void Apply(HttpRequestMessage request, CachedCredential entry) =>
        HeaderNames.Set(request, HeaderNames.Authorization, entry.Value);

    public static void Remove(HttpRequestMessage request) => request.Headers.Remove(HeaderNames.Authorization);

    /// <summary>
    /// Evicts the value this request carried (a newer one, obtained meanwhile, stays), then lets the
    /// handler's remembered entry go, in that order: a lookup racing the rejection cannot bring it back.
    /// </summary>
    public static async ValueTask EvictAsync(
        ICredentialCache cache, string cacheKey, RememberedCredential remembered, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues(HeaderNames.Authorization, out var values) && values.FirstOrDefault() is { } rejected)
        {
            await cache.RemoveAsync(cacheKey, rejected, cancellationToken).ConfigureAwait(false);
        }

        remembered.Forget();
    }
}
