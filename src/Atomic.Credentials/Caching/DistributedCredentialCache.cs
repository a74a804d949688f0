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
/// and sharing resumes once it answers again. What is stored is the value and its two instants,
/// encrypted by the <see cref="ICredentialProtector"/> when one is given.
/// With an <see cref="ICredentialLease"/>, instances that miss or renew the same entry together
/// elect one of them to ask the identity provider; the others wait for the entry it shares
/// (<see cref="DistributedCredentialCacheOptions.LeaseWait"/>) or, renewing, keep serving theirs.
/// </remarks>
public sealed class DistributedCredentialCache : ICredentialCache, IDisposable, OAuth.IPauseSharing
{
    private readonly SharedCredentialStore shared;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly MemoryCredentialCache local;
    private readonly FleetElection election;

    /// <summary>Creates a cache over <paramref name="shared"/>.</summary>
    /// <param name="shared">The shared store; not disposed by this cache.</param>
    /// <param name="protector">Encrypts entries before they are stored; null stores tokens in clear.</param>
    /// <param name="options">Timeout and retry policy; defaults when null.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where cache events are logged.</param>
    /// <param name="lease">Elects the one instance that fetches an entry the fleet misses; null: each instance fetches on its own.</param>
    public DistributedCredentialCache(
        IDistributedCache shared,
        ICredentialProtector? protector = null,
        DistributedCredentialCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        ICredentialLease? lease = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var validated = (options ?? new DistributedCredentialCacheOptions()).Validated();
        this.timeProvider = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        logger = loggerFactory.CreateLogger<DistributedCredentialCache>();
        local = new MemoryCredentialCache(this.timeProvider, loggerFactory.CreateLogger<MemoryCredentialCache>());
        this.shared = new SharedCredentialStore(shared, lease, protector, validated, this.timeProvider, logger);
        election = new FleetElection(this.shared, validated, this.timeProvider, logger);
    }

    /// <summary>Where in [0, 1) of the stagger window this instance renews; random, replaceable by tests.</summary>
#pragma warning disable CA5394 // Spreading renewals needs no cryptographic randomness.
    internal Func<double> Jitter { get; init; } = Random.Shared.NextDouble;
#pragma warning restore CA5394

    /// <inheritdoc />
    public ValueTask<CachedCredential> GetOrCreateAsync(
        string key,
        Func<CancellationToken, Task<CachedCredential>> factory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);

        // The state is passed, not captured: a first-level hit allocates nothing more than the memory cache's.
        return local.GetOrCreateAsync(
            key,
            static (state, token) => state.Cache.LoadAsync(state.Key, state.Factory, token),
            (Cache: this, Key: key, Factory: factory),
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken)
    {
        await local.RemoveAsync(key, value, cancellationToken).ConfigureAwait(false);

        // Awaited (within the bound): the retry that follows a 401 must not read the rejected value back.
        await shared.RemoveAsync(key, value).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // A token endpoint's pause is a small entry of its own (no value; its expiry is the instant),
    // stored and protected like a token's, and gone from the store when the pause ends.
    Task<DateTimeOffset?> OAuth.IPauseSharing.ReadPauseAsync(string key) =>
        shared.ReadAsync(key).ContinueWith(
            static read => read.Result?.ExpiresAt, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    Task OAuth.IPauseSharing.WritePauseAsync(string key, DateTimeOffset until) =>
        shared.WriteAsync(key, new CachedCredential(string.Empty, until));

    /// <summary>Ends pending writes and drops this process's entries; the shared ones stay.</summary>
    public void Dispose()
    {
        shared.Dispose();
        local.Dispose();
    }

    // Runs as the first level's factory: once per key at a time in this process.
    private async Task<CachedCredential> LoadAsync(
        string key, Func<CancellationToken, Task<CachedCredential>> factory, CancellationToken token)
    {
        var stored = await shared.ReadAsync(key).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        if (stored is not null && CredentialLifetime.IsFresh(stored, now))
        {
            Count(key, "hit");
            return CredentialLifetime.Staggered(stored, Jitter());
        }

        Count(key, shared.IsUnavailable ? "unavailable" : "miss");
        var servable = stored is not null && CredentialLifetime.IsServable(stored, now);
        var (arrived, ballot) = await election.RunAsync(key, mayWait: !servable, token).ConfigureAwait(false);
        if (arrived is not null)
        {
            return CredentialLifetime.Staggered(arrived, Jitter());
        }

        if (ballot.Waits)
        {
            // Another instance is renewing the entry this one still serves: look again a little later.
            return CredentialLifetime.Postponed(stored!, now);
        }

        CachedCredential created;
        try
        {
            using (election.Keep(key, ballot))
            {
                created = await factory(token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (stored is not null && CredentialLifetime.IsServable(stored, timeProvider.GetUtcNow()))
        {
            // The shared entry is due for renewal and the identity provider failed: keep serving it.
            _ = election.ReleaseAsync(key, ballot);
            CredentialsTelemetry.Failures.Add(1);
            Log.DistributedCacheRenewFailed(logger, key, stored.ExpiresAt, exception);
            return CredentialLifetime.Postponed(stored, timeProvider.GetUtcNow(), exception);
        }
        catch
        {
            _ = election.ReleaseAsync(key, ballot);
            throw;
        }

        // Not awaited: a request never waits for the write; the next instance to miss reads it.
        _ = ShareAsync(key, created, ballot);
        return CredentialLifetime.Staggered(created, Jitter());
    }

    // The entry is written before the lease is let go: an instance that claims the lease next finds it.
    private async Task ShareAsync(string key, CachedCredential created, Ballot ballot)
    {
        await shared.WriteAsync(key, created).ConfigureAwait(false);
        await election.ReleaseAsync(key, ballot).ConfigureAwait(false);
    }

    private void Count(string key, string result)
    {
        CredentialsTelemetry.DistributedLookups.Add(1, new KeyValuePair<string, object?>("result", result));
        Log.DistributedCacheLookup(logger, result, key);
    }
}
