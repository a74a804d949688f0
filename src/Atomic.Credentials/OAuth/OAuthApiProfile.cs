using Atomic.Credentials.Caching;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// What an API built on OAuth client credentials adds to the kind, carried by the options instance
/// an integration preset derives (the presets live in <c>Integrations/</c>): where requests go once
/// a token response says so, and what else than a 401 means "token rejected". Plain OAuth
/// credentials have none: no virtual call beyond the 401 check. A profile holds no state: what a
/// token response teaches travels with the token, in its cache entry.
/// </summary>
internal abstract class OAuthApiProfile
{
    /// <summary>The preset's <c>Type</c>, for errors.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Told of every token with the whole response (the members the kind does not know are in
    /// <see cref="TokenResponse.Extra"/>): returns the entry to cache, with what requests will need of the response.
    /// </summary>
    public virtual CachedCredential Received(CachedCredential entry, TokenResponse response) => entry;

    /// <summary>Where <paramref name="requestUri"/> really goes with the token of <paramref name="entry"/>, or null to leave it.</summary>
    public virtual Uri? Redirect(Uri requestUri, CachedCredential entry) => null;

    /// <summary>
    /// Whether a response other than a 401 (which always may) may say the token was rejected;
    /// synchronous and cheap, it runs on every response.
    /// </summary>
    public virtual bool MayBeRejection(HttpResponseMessage response) => false;

    /// <summary>Decides a response <see cref="MayBeRejection"/> picked out.</summary>
    public virtual ValueTask<bool> IsRejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ValueTask.FromResult(true);
}
