using System.Collections.Concurrent;
using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atomic.Credentials.Caching;

/// <summary>
/// The default <see cref="ICredentialCache"/>: entries in this process's memory, one fetch per key
/// at a time, refreshed in the background ahead of expiry.
/// </summary>
public sealed class MemoryCredentialCache : ICredentialCache, IDisposable
{
    // A private MemoryCache: a user's shared one may have a SizeLimit that our entries would break.
    private readonly MemoryCache entries = new(new MemoryCacheOptions());
    private readonly ConcurrentDictionary<string, Task<CachedCredential>> inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource lifetime = new();
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private int disposed;

    /// <summary>Creates a cache.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where cache events are logged.</param>
    public MemoryCredentialCache(TimeProvider? timeProvider = null, ILogger<MemoryCredentialCache>? logger = null)
    {
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public ValueTask<CachedCredential> GetOrCreateAsync(
        string key,
        Func<CancellationToken, Task<CachedCredential>> factory,
        CancellationToken cancellationToken) =>
        GetOrCreateAsync(key, static (factory, token) => factory(token), factory, cancellationToken);

    /// <summary>
    /// The same, with the factory's state passed along rather than captured, so that a cache built on
    /// this one (the distributed cache) allocates nothing on a hit.
    /// </summary>
    internal ValueTask<CachedCredential> GetOrCreateAsync<TState>(
        string key,
        Func<TState, CancellationToken, Task<CachedCredential>> factory,
        TState state,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(factory);
        ObjectDisposedException.ThrowIf(lifetime.IsCancellationRequested, this);

        var now = timeProvider.GetUtcNow();
        if (entries.TryGetValue(key, out CachedCredential? entry) && CredentialLifetime.IsServable(entry!, now))
        {
            CredentialsTelemetry.CacheHits.Add(1);
            Log.CacheHit(logger, key);
            if (CredentialLifetime.IsDue(entry!, now))
            {
                _ = Fetch(key, factory, state, refreshing: true);
            }

            return new ValueTask<CachedCredential>(entry!);
        }

        CredentialsTelemetry.CacheMisses.Add(1);
        Log.CacheMiss(logger, key);
        return new ValueTask<CachedCredential>(Fetch(key, factory, state, refreshing: false).WaitAsync(cancellationToken));
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (entries.TryGetValue(key, out CachedCredential? entry) && entry!.Value == value)
        {
            entries.Remove(key);
            Log.CacheEvicted(logger, key);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends pending background work and drops every entry.</summary>
    public void Dispose()
    {
        // A handler may be disposed by both a using block and its HttpClient: the second call does nothing.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        lifetime.Cancel();
        lifetime.Dispose();
        entries.Dispose();
    }

    // Joins the fetch in flight for the key, or starts one: one factory call per key at a time.
    private Task<CachedCredential> Fetch<TState>(string key, Func<TState, CancellationToken, Task<CachedCredential>> factory, TState state, bool refreshing)
    {
        if (inFlight.TryGetValue(key, out var running))
        {
            return running;
        }

        var completion = new TaskCompletionSource<CachedCredential>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = inFlight.GetOrAdd(key, completion.Task);
        if (joined != completion.Task)
        {
            return joined;
        }

        _ = RunFactoryAsync(key, factory, state, refreshing, completion);
        return completion.Task;
    }

    private async Task RunFactoryAsync<TState>(
        string key, Func<TState, CancellationToken, Task<CachedCredential>> factory, TState state, bool refreshing, TaskCompletionSource<CachedCredential> completion)
    {
        try
        {
            // Another fetch may have stored an entry between the caller's lookup and ours.
            var now = timeProvider.GetUtcNow();
            if (entries.TryGetValue(key, out CachedCredential? current)
                && (refreshing ? CredentialLifetime.IsFresh(current!, now) : CredentialLifetime.IsServable(current!, now)))
            {
                completion.SetResult(current!);
                return;
            }

            if (refreshing)
            {
                CredentialsTelemetry.Refreshes.Add(1);
                Log.CacheRefreshing(logger, key);
            }

            // The factory runs on the cache's own token: one caller giving up must not cancel it.
            await Task.Yield();
            var created = await factory(state, lifetime.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The credential factory returned no entry.");
            Store(key, created);
            Settle(key, completion);
            completion.SetResult(created);
        }
        catch (Exception exception)
        {
            CredentialsTelemetry.Failures.Add(1);
            if (refreshing && entries.TryGetValue(key, out CachedCredential? stale) && CredentialLifetime.IsServable(stale!, timeProvider.GetUtcNow()))
            {
                Log.CacheRefreshFailed(logger, key, stale!.ExpiresAt, exception);
                PostponeRefresh(key, stale!, exception);
                Settle(key, completion);
                completion.SetResult(stale!);
            }
            else
            {
                Log.CacheCreateFailed(logger, key, exception);
                Settle(key, completion);
                completion.SetException(exception);
            }
        }
        finally
        {
            Settle(key, completion);
        }
    }

    // Before the outcome is published: a caller that sees it completed must not join it any more
    // (a failure joined that way would be a cached failure).
    private void Settle(string key, TaskCompletionSource<CachedCredential> completion) =>
        inFlight.TryRemove(new KeyValuePair<string, Task<CachedCredential>>(key, completion.Task));

    private void Store(string key, CachedCredential entry)
    {
        var remaining = entry.ExpiresAt - timeProvider.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        // Expiry is judged against the TimeProvider on every read; this only reclaims memory.
        entries.Set(key, entry, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = remaining });
    }

    // A failed refresh keeps the still valid entry and waits a little before trying again,
    // so a struggling identity provider is not called on every request.
    private void PostponeRefresh(string key, CachedCredential stale, Exception failure) =>
        Store(key, CredentialLifetime.Postponed(stale, timeProvider.GetUtcNow(), failure));
}
