using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Caching;

/// <summary>
/// The shared store behind <see cref="DistributedCredentialCache"/>, made safe to depend on: every
/// call is bounded, entries are (un)protected and (de)serialized here, and a failure or a timeout
/// opens a breaker, logs a warning, counts a metric and yields "nothing" instead of an exception.
/// </summary>
internal sealed class SharedCredentialStore : IDisposable
{
    // Read once at start-up and never written: only a store's connection is wanted.
    private const string ConnectKey = "atomic:connect";

    // Writes, which no request waits for, get longer than reads, so a store that is merely slow still gets them.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    private readonly IDistributedCache store;
    private readonly ICredentialLease? lease;
    private readonly ICredentialProtector? protector;
    private readonly DistributedCredentialCacheOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly OutageBreaker breaker;
    private readonly CancellationTokenSource lifetime = new();

    public SharedCredentialStore(
        IDistributedCache store, ICredentialLease? lease, ICredentialProtector? protector, DistributedCredentialCacheOptions options, TimeProvider timeProvider, ILogger logger)
    {
        this.store = store;
        this.lease = lease;
        this.protector = protector;
        this.options = options;
        this.timeProvider = timeProvider;
        this.logger = logger;
        breaker = new OutageBreaker(timeProvider, options.RetryAfter);

        // Stores that connect lazily (RedisCache does) connect now, not during the first request.
        _ = CallAsync("connect", ConnectKey, token => store.GetAsync(ConnectKey, token), options.Timeout);
    }

    /// <summary>Whether the store is being left alone after a failure.</summary>
    public bool IsUnavailable => breaker.IsOpen;

    /// <summary>The entry stored under <paramref name="key"/>; null when there is none, it is unreadable, or the store is unavailable.</summary>
    public Task<CachedCredential?> ReadAsync(string key) =>
        breaker.IsOpen ? Task.FromResult<CachedCredential?>(null) : CallAsync("get", key, token => ReadCoreAsync(key, token), options.Timeout);

    /// <summary>Stores <paramref name="entry"/> until it expires. Tried even while the breaker is open: a success closes it.</summary>
    public Task WriteAsync(string key, CachedCredential entry) =>
        CallAsync("set", key, token => WriteCoreAsync(key, entry, token), WriteTimeout);

    /// <summary>Removes the entry under <paramref name="key"/> if it still holds <paramref name="value"/>.</summary>
    /// <remarks>Read-compare-remove is not atomic; a race costs at most one extra token request.</remarks>
    public Task RemoveAsync(string key, string value) =>
        breaker.IsOpen ? Task.CompletedTask : CallAsync("remove", key, async token =>
        {
            if ((await ReadCoreAsync(key, token).ConfigureAwait(false))?.Value == value)
            {
                await store.RemoveAsync(key, token).ConfigureAwait(false);
            }

            return true;
        }, options.Timeout);

    /// <summary>Whether a lease service was given (elections can be held).</summary>
    public bool HasLease => lease is not null;

    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="holder"/>: true when claimed, false when another
    /// holds it, null when there is no lease service or it is unavailable (then each process fetches on its own).
    /// </summary>
    public Task<bool?> TryLeaseAsync(string key, string holder, TimeSpan duration) =>
        lease is null || breaker.IsOpen ? Task.FromResult<bool?>(null)
        : CallAsync<bool?>("lease", key, async token => await lease.TryAcquireAsync(key, holder, duration, token).ConfigureAwait(false), options.Timeout);

    /// <summary>Makes <paramref name="holder"/>'s claim on <paramref name="key"/> last <paramref name="duration"/> more; false when it is not its claim any more or the store fails.</summary>
    public async Task<bool> ExtendLeaseAsync(string key, string holder, TimeSpan duration) =>
        lease is not null && await CallAsync<bool?>("extend", key, async token => await lease.TryExtendAsync(key, holder, duration, token).ConfigureAwait(false), options.Timeout).ConfigureAwait(false) == true;

    /// <summary>Ends <paramref name="holder"/>'s claim on <paramref name="key"/>. Tried even while the breaker is open, as a write is: the claim would hold others back.</summary>
    public Task ReleaseLeaseAsync(string key, string holder) =>
        lease is null ? Task.CompletedTask : CallAsync("release", key, async token =>
        {
            await lease.ReleaseAsync(key, holder, token).ConfigureAwait(false);
            return true;
        }, WriteTimeout);

    public void Dispose()
    {
        lifetime.Cancel();
        lifetime.Dispose();
    }

    private async Task<CachedCredential?> ReadCoreAsync(string key, CancellationToken token)
    {
        var bytes = await store.GetAsync(key, token).ConfigureAwait(false);
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
#pragma warning disable CA1031 // Any protector failure (other keys, tampering) means: not ours to serve.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.DistributedCacheUnreadable(logger, key, exception);
            return null;
        }
    }

    private async Task<bool> WriteCoreAsync(string key, CachedCredential entry, CancellationToken token)
    {
        // The shared entry lives exactly as long as the credential; relative, so no clock is compared.
        var remaining = entry.ExpiresAt - timeProvider.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        // In whole seconds, rounded up: RedisCache truncates to seconds, and a pause that left Redis
        // before its instant let instances ask early. Readers compare the entry's own instants anyway.
        var lifetime = TimeSpan.FromSeconds(Math.Ceiling(remaining.TotalSeconds));
        var bytes = CachedCredentialFormat.Write(entry);
        var stored = protector is null ? bytes : protector.Protect(bytes);
        await store.SetAsync(key, stored, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime }, token).ConfigureAwait(false);
        return true;
    }

    private async Task<T?> CallAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, TimeSpan bound)
    {
        if (lifetime.IsCancellationRequested)
        {
            return default;
        }

        Task<T>? pending = null;
        try
        {
            pending = call(lifetime.Token);
            var result = await pending.WaitAsync(bound, timeProvider, lifetime.Token).ConfigureAwait(false);
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
                static (t, state) =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        ((SharedCredentialStore)state!).Recovered();
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
}
