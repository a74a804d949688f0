using System.Security.Cryptography;
using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Caching;

/// <summary>
/// Of the instances of a fleet that miss (or must renew) the same shared entry together, elects the
/// one that asks the identity provider: the one whose claim on the entry's lease succeeds. The
/// others wait, bounded by <see cref="DistributedCredentialCacheOptions.LeaseWait"/>, for the entry
/// it shares, and meanwhile take the lease over if it lapses (its holder died); an instance that is
/// renewing an entry still servable does not wait at all. A lease service that is missing or fails
/// makes every instance its own candidate: each fetches once, as without a fleet.
/// </summary>
internal sealed class FleetElection(SharedCredentialStore shared, DistributedCredentialCacheOptions options, TimeProvider timeProvider, ILogger logger)
{
    // Polls of the shared entry start quick (a token request often takes tens of milliseconds) and
    // slow down, so a fleet waiting on a slow identity provider does not hammer the store.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ShortestKeep = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Runs the election for <paramref name="key"/>: an entry another instance shared meanwhile, or
    /// none and the ballot this instance fetches under. With <paramref name="mayWait"/> false (a
    /// servable entry is at hand) an instance that is not elected returns at once, its ballot saying so.
    /// </summary>
    public async Task<(CachedCredential? Shared, Ballot Ballot)> RunAsync(string key, bool mayWait, CancellationToken token)
    {
        if (!shared.HasLease || options.LeaseDuration <= TimeSpan.Zero)
        {
            return (null, Ballot.Alone);
        }

        var (arrived, ballot) = await ClaimAsync(key).ConfigureAwait(false);
        if (arrived is not null || ballot.Elected)
        {
            return Decided(key, arrived, ballot, arrived is null ? "elected" : "awaited");
        }

        if (!ballot.Waits || !mayWait)
        {
            return Decided(key, null, ballot, ballot.Waits ? "renewing-elsewhere" : "alone");
        }

        return await AwaitAsync(key, token).ConfigureAwait(false);
    }

    /// <summary>Lets the lease go once the entry is shared (or the fetch failed): only its holder can.</summary>
    public Task ReleaseAsync(string key, Ballot ballot) =>
        ballot.Holder is { } holder ? shared.ReleaseLeaseAsync(LeaseKey(key), holder) : Task.CompletedTask;

    /// <summary>
    /// While the elected instance fetches, keeps its lease from lapsing (extended every third of
    /// <see cref="DistributedCredentialCacheOptions.LeaseDuration"/>, only while it still holds it), so a
    /// slow identity provider does not make another instance take the lease over and ask too. Dispose
    /// when the fetch is over; nothing is kept for an instance that was not elected.
    /// </summary>
    public IDisposable Keep(string key, Ballot ballot)
    {
        if (ballot.Holder is not { } holder)
        {
            return NothingKept.Instance;
        }

        var kept = new Kept();
        _ = KeepAsync(LeaseKey(key), holder, kept.Token);
        return kept;
    }

    private async Task KeepAsync(string leaseKey, string holder, CancellationToken stop)
    {
        // A third of the lease, but never a busy loop against the store for a lease of a few milliseconds.
        var every = TimeSpan.FromTicks(Math.Max(options.LeaseDuration.Ticks / 3, ShortestKeep.Ticks));
        try
        {
            while (true)
            {
                await Task.Delay(every, timeProvider, stop).ConfigureAwait(false);
                if (stop.IsCancellationRequested || !await shared.ExtendLeaseAsync(leaseKey, holder, options.LeaseDuration).ConfigureAwait(false))
                {
                    return; // fetched, or the lease is not ours any more (or cannot be extended): let it lapse
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The fetch is over.
        }
    }

    // Disposed: the keeping stops (cancelled, not disposed: a source without a timer holds nothing to free).
    private sealed class Kept : IDisposable
    {
        private readonly CancellationTokenSource stop = new();

        public CancellationToken Token => stop.Token;

        public void Dispose() => stop.Cancel();
    }

    private sealed class NothingKept : IDisposable
    {
        public static readonly NothingKept Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>The lease's key in the shared store: derived from the entry's key, so it holds no secret either.</summary>
    public static string LeaseKey(string cacheKey) => cacheKey + ":lease";

    /// <summary>A holder value: random, new for every claim, unrelated to any secret or key.</summary>
    public static string NewHolder() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private async Task<(CachedCredential?, Ballot)> AwaitAsync(string key, CancellationToken token)
    {
        var deadline = timeProvider.GetUtcNow() + options.LeaseWait;
        var poll = FirstPoll;
        for (var remaining = options.LeaseWait; remaining > TimeSpan.Zero; remaining = deadline - timeProvider.GetUtcNow())
        {
            await Task.Delay(poll < remaining ? poll : remaining, timeProvider, token).ConfigureAwait(false);
            poll = poll * 2 < LongestPoll ? poll * 2 : LongestPoll;
            if (await FreshAsync(key).ConfigureAwait(false) is { } shared)
            {
                return Decided(key, shared, Ballot.Elsewhere, "awaited");
            }

            // No entry yet: a lease that lapsed (its holder died or gave up) is ours to take over.
            var (arrived, ballot) = await ClaimAsync(key).ConfigureAwait(false);
            if (arrived is not null || !ballot.Waits)
            {
                return Decided(key, arrived, ballot, arrived is not null ? "awaited" : ballot.Elected ? "elected" : "alone");
            }
        }

        return Decided(key, null, Ballot.Alone, "timed-out");
    }

    // A claim; when it wins, the entry is looked up once more: between this instance's last look and
    // its claim, the previous holder may have shared the entry and let go. Then that entry is the answer.
    private async Task<(CachedCredential? Arrived, Ballot Ballot)> ClaimAsync(string key)
    {
        var holder = NewHolder();
        var claimed = await shared.TryLeaseAsync(LeaseKey(key), holder, options.LeaseDuration).ConfigureAwait(false);
        if (claimed is not true)
        {
            return (null, claimed is false ? Ballot.Elsewhere : Ballot.Alone);
        }

        var ballot = new Ballot(holder, Waits: false);
        if (await FreshAsync(key).ConfigureAwait(false) is { } arrived)
        {
            _ = ReleaseAsync(key, ballot);
            return (arrived, Ballot.Elsewhere);
        }

        return (null, ballot);
    }

    private async Task<CachedCredential?> FreshAsync(string key) =>
        await shared.ReadAsync(key).ConfigureAwait(false) is { } stored && CredentialLifetime.IsFresh(stored, timeProvider.GetUtcNow()) ? stored : null;

    private (CachedCredential?, Ballot) Decided(string key, CachedCredential? arrived, Ballot ballot, string result)
    {
        CredentialsTelemetry.DistributedElections.Add(1, new KeyValuePair<string, object?>("result", result));
        Log.DistributedCacheElection(logger, key, result);
        return (arrived, ballot);
    }
}
