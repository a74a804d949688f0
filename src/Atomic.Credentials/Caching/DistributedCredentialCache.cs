using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atomic.Credentials.Caching;

/// <summary>
/// An <see cref="ICredentialCache"/> for a fleet: entries are shared through an
/// <see cref="IDistributedCache"/> (Redis, for instance), so one instance's token serves all of them.
/// </summary>
/// <remarks>
/// A <see cref="MemoryCredentialCache"/> in front keeps its guarantees in each process (one fetch
/// per key, a caller's cancellation ends only its wait, failures not cached, refresh ahead of
/// expiry); only its misses and refreshes look in the shared cache before calling the identity
/// provider. The shared cache is never on a request's critical path for longer than
/// <see cref="DistributedCredentialCacheOptions.Timeout"/>: when it is slow or down, requests go
/// on from this process's entries or the identity provider, a warning is logged, a metric counted,
/// and sharing resumes once it answers again.
/// </remarks>
public sealed class DistributedCredentialCache : ICredentialCache, IDisposable
{
    // Read once at start-up and never written: only a store's connection is wanted.
    private const string WarmUpKey = "atomic:connect";

    // Writes, which no request waits for, get longer than reads, so a store that is merely slow still gets them.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    // The most an instance's renewal is put off past the entry's own refresh instant (see Staggered).
    private static readonly TimeSpan MaxStagger = TimeSpan.FromSeconds(30);

    private readonly IDistributedCache shared;
    private readonly ICredentialProtector? protector;
    private readonly DistributedCredentialCacheOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly MemoryCredentialCache local;
    private readonly OutageBreaker breaker;
    private readonly CancellationTokenSource lifetime = new();

    /// <summary>Creates a cache over <paramref name="shared"/>.</summary>
    /// <param name="shared">The shared store; not disposed by this cache.</param>
    /// <param name="protector">Encrypts entries before they are stored; null stores tokens in clear.</param>
    /// <param name="options">Timeout and retry policy; defaults when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where cache events are logged.</param>
    public DistributedCredentialCache(
        IDistributedCache shared,
        ICredentialProtector? protector = null,
        DistributedCredentialCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        this.shared = shared;
        this.protector = protector;
        this.options = (options ?? new DistributedCredentialCacheOptions()).Validated();
        this.timeProvider = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        logger = loggerFactory.CreateLogger<DistributedCredentialCache>();
        local = new MemoryCredentialCache(this.timeProvider, loggerFactory.CreateLogger<MemoryCredentialCache>());
        breaker = new OutageBreaker(this.timeProvider, this.options.RetryAfter);

        // Stores that connect lazily (RedisCache does) connect now, not during the first request.
        _ = CallSharedAsync("connect", WarmUpKey, token => this.shared.GetAsync(WarmUpKey, token));
    }


    /// <inheritdoc />
    public ValueTask<CachedCredential> GetOrCreateAsync(
        string key,
        Func<CancellationToken, Task<CachedCredential>> factory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return local.GetOrCreateAsync(key, token => LoadAsync(key, factory, token), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken)
    {
        await local.RemoveAsync(key, value, cancellationToken).ConfigureAwait(false);

        // Awaited (within the bound): the retry that follows a 401 must not read the rejected value back.
        // Read-compare-remove is not atomic; a race costs at most one extra token request.
        await CallSharedAsync("remove", key, async token =>
        {
            var stored = await ReadSharedAsync(key, token).ConfigureAwait(false);
            if (stored?.Value == value)
            {
                await shared.RemoveAsync(key, token).ConfigureAwait(false);
            }

            return true;
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends pending writes and drops this process's entries; the shared ones stay.</summary>
    public void Dispose()
    {
        lifetime.Cancel();
        lifetime.Dispose();
        local.Dispose();
    }

    // Runs as the first level's factory: once per key at a time in this process.
    private async Task<CachedCredential> LoadAsync(
        string key, Func<CancellationToken, Task<CachedCredential>> factory, CancellationToken token)
    {
        var stored = await CallSharedAsync("get", key, t => ReadSharedAsync(key, t)).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        if (stored is not null && stored.ExpiresAt > now && (stored.RefreshAt is null || stored.RefreshAt > now))
        {
            Count(key, "hit");
            return Staggered(stored);
        }

        Count(key, breaker.IsOpen ? "bypassed" : "miss");
        CachedCredential created;
        try
        {
            created = await factory(token).ConfigureAwait(false);
        }
        catch (Exception exception) when (stored is not null && stored.ExpiresAt > timeProvider.GetUtcNow())
        {
            // Another instance's entry is due for renewal and the identity provider failed: keep serving it.
            CredentialsTelemetry.Failures.Add(1);
            Log.DistributedCacheRenewFailed(logger, key, stored.ExpiresAt, exception);
            return MemoryCredentialCache.PostponedRefresh(stored, timeProvider.GetUtcNow());
        }

        // Not awaited: a request never waits for the write; the next instance to miss reads it.
        _ = CallSharedAsync("set", key, t => WriteSharedAsync(key, created, t), WriteTimeout);
        return Staggered(created);
    }

    /// <summary>Where in [0, 1) of the stagger window this instance renews; random, replaceable by tests.</summary>
#pragma warning disable CA5394 // Spreading renewals needs no cryptographic randomness.
    internal Func<double> Jitter { get; init; } = Random.Shared.NextDouble;
#pragma warning restore CA5394

    // Every instance holding one shared entry would renew it at the same instant, each with a token
    // request of its own. So this instance's copy is renewed at a random instant in the first half of
    // the time between the entry's refresh instant and its expiry (at most 30 s later): the first
    // instance to renew stores the new entry, and the others, renewing later, read it instead of
    // calling the identity provider. The copy in the shared store keeps the entry's own instants.
    private CachedCredential Staggered(CachedCredential entry)
    {
        if (entry.RefreshAt is not { } refreshAt)
        {
            return entry;
        }

        var window = Math.Min((entry.ExpiresAt - refreshAt).Ticks / 2, MaxStagger.Ticks);
        return window <= 0
            ? entry
            : new CachedCredential(entry.Value, entry.ExpiresAt, refreshAt + TimeSpan.FromTicks((long)(Jitter() * window)));
    }

    private async Task<CachedCredential?> ReadSharedAsync(string key, CancellationToken token)
    {
        var bytes = await shared.GetAsync(key, token).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var entry = CachedCredentialFormat.Read(protector is null ? bytes : protector.Unprotect(bytes));
            if (entry is null)
            {
                Log.DistributedCacheUnreadable(logger, key, null);
            }

            return entry;
        }
#pragma warning disable CA1031 // Any protector failure (rotated keys, tampering) means: not ours to serve.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.DistributedCacheUnreadable(logger, key, exception);
            return null;
        }
    }

    private async Task<bool> WriteSharedAsync(string key, CachedCredential entry, CancellationToken token)
    {
        // The shared entry lives exactly as long as the credential; relative, so no clock is compared.
        var remaining = entry.ExpiresAt - timeProvider.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        var bytes = CachedCredentialFormat.Write(entry);
        var stored = protector is null ? bytes : protector.Protect(bytes);
        await shared.SetAsync(key, stored, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = remaining }, token).ConfigureAwait(false);
        return true;
    }

    // Calls the shared store within the bound; a failure or a timeout opens the breaker and yields default.
    // Writes (given their own bound) are tried even while the breaker is open: no request waits for
    // them, and a write that succeeds is the quickest sign that the store is back.
    private async Task<T?> CallSharedAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, TimeSpan? writeBound = null)
    {
        if ((writeBound is null && breaker.IsOpen) || lifetime.IsCancellationRequested)
        {
            return default;
        }

        Task<T>? pending = null;
        try
        {
            pending = call(lifetime.Token);
            var result = await pending.WaitAsync(writeBound ?? options.Timeout, timeProvider, lifetime.Token).ConfigureAwait(false);
            Recovered();
            return result;
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return default;
        }
#pragma warning disable CA1031 // The shared store is optional: whatever it throws, requests go on without it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var timedOut = exception is TimeoutException;
            var reason = timedOut ? "timeout" : "error";
            CredentialsTelemetry.DistributedErrors.Add(1, new("operation", operation), new("reason", reason));
            if (breaker.Trip())
            {
                Log.DistributedCacheUnavailable(logger, operation, key, reason, options.RetryAfter, timedOut ? null : exception);
            }
            else
            {
                Log.DistributedCacheStillUnavailable(logger, operation, key, reason, timedOut ? null : exception);
            }

            // The abandoned call goes on: a store that was slow, not down (a first connection under
            // load), closes the breaker when it answers; a fault is observed, not left unobserved.
            _ = pending?.ContinueWith(
                (t, state) =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        ((DistributedCredentialCache)state!).Recovered();
                    }

                    return t.Exception;
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return default;
        }
    }

    private void Recovered()
    {
        if (breaker.Reset())
        {
            Log.DistributedCacheRecovered(logger);
        }
    }

    private void Count(string key, string result)
    {
        CredentialsTelemetry.DistributedLookups.Add(1, new KeyValuePair<string, object?>("result", result));
        Log.DistributedCacheLookup(logger, result, key);
    }
}
