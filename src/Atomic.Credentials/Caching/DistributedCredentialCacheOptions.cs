using Microsoft.Extensions.Caching.Distributed;

namespace Atomic.Credentials.Caching;

/// <summary>How <see cref="DistributedCredentialCache"/> treats the shared cache behind it.</summary>
public sealed class DistributedCredentialCacheOptions
{
    /// <summary>
    /// The longest a request waits for the shared cache (read, or eviction after a 401) before it
    /// goes on without it. Default 500 ms.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After the shared cache failed or timed out, how long it is left alone (requests use this
    /// process's entries and the identity provider) before the next call tries it again. Default 10 s.
    /// </summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With dependency injection: finds the shared store. Null (the default) uses the registered
    /// <see cref="IDistributedCache"/>; set it to keep credentials apart from the app's own cache.
    /// </summary>
    public Func<IServiceProvider, IDistributedCache>? Store { get; set; }

    internal DistributedCredentialCacheOptions Validated()
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "DistributedCredentialCacheOptions.Timeout must be more than zero and at most one minute.");
        }

        if (RetryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryAfter), RetryAfter, "DistributedCredentialCacheOptions.RetryAfter must not be negative.");
        }

        return new DistributedCredentialCacheOptions { Timeout = Timeout, RetryAfter = RetryAfter, Store = Store };
    }
}
