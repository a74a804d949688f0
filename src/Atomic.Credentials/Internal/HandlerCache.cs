using Atomic.Credentials.Caching;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Internal;

/// <summary>
/// The cache of a handler built without dependency injection (OAuth tokens, key-pair JWTs): the
/// one it was given, which stays its giver's, or else a private in-memory one the handler owns and
/// disposes with itself, once however often the handler is disposed.
/// </summary>
internal sealed class HandlerCache
{
    private MemoryCredentialCache? owned;

    private HandlerCache(ICredentialCache cache, MemoryCredentialCache? owned)
    {
        Cache = cache;
        this.owned = owned;
    }

    public ICredentialCache Cache { get; }

    public static HandlerCache For(ICredentialCache? given, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        if (given is not null)
        {
            return new HandlerCache(given, owned: null);
        }

        var own = new MemoryCredentialCache(timeProvider, loggerFactory?.CreateLogger<MemoryCredentialCache>());
        return new HandlerCache(own, own);
    }

    /// <summary>Disposes the private cache, if the handler owns one; HttpClient and a using block may both get here.</summary>
    public void Dispose() => Interlocked.Exchange(ref owned, null)?.Dispose();
}
