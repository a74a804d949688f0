using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Internal;

/// <summary>
/// The last cache entry one options instance obtained, held until its refresh instant so that a
/// request in the steady state skips the cache lookup (a hash of the key and clock reads): reading
/// it is one field read. A one-shot timer on the handler's <see cref="TimeProvider"/> lets go of
/// it at the entry's refresh instant (its expiry when it has none); from then on requests ask the
/// cache again, which refreshes in the background as before. A rejection lets go of it at once.
/// </summary>
/// <remarks>
/// The timer holds only this object, never the handler, so an expired handler can still be collected.
/// </remarks>
internal sealed class RememberedCredential(TimeProvider time)
{
    private readonly Lock gate = new();
    private Held? held;
    private int generation;

    /// <summary>The entry to use without asking the cache, or null.</summary>
    public CachedCredential? Entry => Volatile.Read(ref held)?.Entry;

    /// <summary>Read before asking the cache; a rejection in between makes <see cref="Remember"/> drop what the cache returned.</summary>
    public int Generation => Volatile.Read(ref generation);

    /// <summary>Asks the cache for the entry and remembers what it returns.</summary>
    public ValueTask<CachedCredential> GetAsync(
        ICredentialCache cache, string key, Func<CancellationToken, Task<CachedCredential>> factory, CancellationToken cancellationToken)
    {
        var observed = Generation;
        var lookup = cache.GetOrCreateAsync(key, factory, cancellationToken);
        if (!lookup.IsCompletedSuccessfully)
        {
            return RememberWhenDoneAsync(lookup, observed);
        }

        Remember(lookup.Result, observed);
        return lookup;
    }

    /// <summary>Keeps <paramref name="entry"/> until its refresh instant, unless a rejection came after <paramref name="observedGeneration"/> was read.</summary>
    public void Remember(CachedCredential entry, int observedGeneration)
    {
        if (ReferenceEquals(Volatile.Read(ref held)?.Entry, entry))
        {
            return;
        }

        var due = CredentialLifetime.UsableWithoutCacheUntil(entry) - time.GetUtcNow();
        if (due <= TimeSpan.Zero)
        {
            return; // due for refresh already: the cache is refreshing it, keep asking the cache
        }

        lock (gate)
        {
            if (generation != observedGeneration || ReferenceEquals(held?.Entry, entry))
            {
                return;
            }

            held?.Timer?.Dispose();
            var fresh = new Held(this, entry);
            fresh.Timer = StartTimer(fresh, due);
            held = fresh;
        }
    }

    /// <summary>Lets go of the entry at once: a server rejected it.</summary>
    public void Forget()
    {
        lock (gate)
        {
            generation++;
            held?.Timer?.Dispose();
            held = null;
        }
    }

    private async ValueTask<CachedCredential> RememberWhenDoneAsync(ValueTask<CachedCredential> lookup, int observed)
    {
        var entry = await lookup.ConfigureAwait(false);
        Remember(entry, observed);
        return entry;
    }

    private ITimer StartTimer(Held target, TimeSpan due)
    {
        // The timer must not carry the request's execution context (its activity, its logging scope)
        // for the whole life of the entry.
        if (ExecutionContext.IsFlowSuppressed())
        {
            return time.CreateTimer(static state => ((Held)state!).Expire(), target, due, Timeout.InfiniteTimeSpan);
        }

        using (ExecutionContext.SuppressFlow())
        {
            return time.CreateTimer(static state => ((Held)state!).Expire(), target, due, Timeout.InfiniteTimeSpan);
        }
    }

    private sealed class Held(RememberedCredential owner, CachedCredential entry)
    {
        public CachedCredential Entry { get; } = entry;

        public ITimer? Timer { get; set; }

        public void Expire()
        {
            lock (owner.gate)
            {
                if (ReferenceEquals(owner.held, this))
                {
                    owner.held = null;
                }

                Timer?.Dispose();
            }
        }
    }
}
