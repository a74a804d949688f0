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

    /// <summary>
    /// With an <see cref="ICredentialLease"/>: how long the instance elected to fetch a missing or
    /// due entry holds the fleet's lease. It is released as soon as the entry is shared; this
    /// bounds how long a holder that died holds the others back. Zero turns the election off (each
    /// instance fetches on its own). Default 5 s; at most one minute.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a request that missed waits for the entry another instance is fetching, before
    /// it fetches on its own. Longer than <see cref="LeaseDuration"/>, so that when a holder dies one
    /// of the waiters takes the lapsed lease over and the others still wait for its entry.
    /// Default 10 s; at most one minute.
    /// </summary>
    public TimeSpan LeaseWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With dependency injection: finds the fleet's <see cref="ICredentialLease"/>. Null (the
    /// default) elects nobody: each instance fetches on its own (one fetch per process).
    /// <c>AddAtomicCredentialsRedisCache</c> sets it to a lease on the same Redis connection.
    /// </summary>
    public Func<IServiceProvider, ICredentialLease>? Lease { get; set; }

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

        if (LeaseDuration < TimeSpan.Zero || LeaseDuration > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "DistributedCredentialCacheOptions.LeaseDuration must be between zero (no election) and one minute.");
        }

        if (LeaseWait < TimeSpan.Zero || LeaseWait > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseWait), LeaseWait, "DistributedCredentialCacheOptions.LeaseWait must be between zero and one minute.");
        }

        return new DistributedCredentialCacheOptions
        {
            Timeout = Timeout, RetryAfter = RetryAfter, Store = Store, LeaseDuration = LeaseDuration, LeaseWait = LeaseWait, Lease = Lease,
        };
    }
}
