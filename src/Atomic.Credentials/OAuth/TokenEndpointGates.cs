using System.Collections.Concurrent;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// The gates of one <see cref="Caching.ICredentialCache"/>, one per cache key, bounded: a gate stays
/// in the table while a credential's state holds it (weakly referenced) or while it is paused
/// (pinned until the pause ends, so a state rebuilt during a pause still finds it). Everything else
/// is swept out as the table grows, so many distinct credentials over a process's life do not
/// accumulate gates.
/// </summary>
internal sealed class TokenEndpointGates
{
    private const int FirstSweep = 64;

    private readonly ConcurrentDictionary<string, WeakReference<TokenEndpointGate>> gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TokenEndpointGate, DateTimeOffset> pinned = new();
    private int sweepAt = FirstSweep;

    /// <summary>Entries in the table, live or not yet swept.</summary>
    public int Count => gates.Count;

    public TokenEndpointGate GetOrAdd(string key, Func<TokenEndpointGates, TokenEndpointGate> create)
    {
        while (true)
        {
            if (gates.TryGetValue(key, out var entry) && entry.TryGetTarget(out var existing))
            {
                return existing;
            }

            var created = create(this);
            var replacement = new WeakReference<TokenEndpointGate>(created);
            if (entry is null ? gates.TryAdd(key, replacement) : gates.TryUpdate(key, replacement, entry))
            {
                SweepIfGrown();
                return created;
            }
        }
    }

    public TokenEndpointGate? Find(string key) =>
        gates.TryGetValue(key, out var entry) && entry.TryGetTarget(out var gate) ? gate : null;

    /// <summary>Keeps <paramref name="gate"/> in the table until <paramref name="until"/>, whoever holds it.</summary>
    public void Pin(TokenEndpointGate gate, DateTimeOffset until) =>
        pinned.AddOrUpdate(gate, until, (_, current) => until > current ? until : current);

    // Amortized: a sweep happens each time the table doubles since the last one.
    private void SweepIfGrown()
    {
        var threshold = Volatile.Read(ref sweepAt);
        if (gates.Count < threshold || Interlocked.CompareExchange(ref sweepAt, int.MaxValue, threshold) != threshold)
        {
            return;
        }

        foreach (var (gate, until) in pinned)
        {
            if (until <= gate.Now)
            {
                pinned.TryRemove(new KeyValuePair<TokenEndpointGate, DateTimeOffset>(gate, until));
            }
        }

        foreach (var entry in gates)
        {
            if (!entry.Value.TryGetTarget(out _))
            {
                gates.TryRemove(entry);
            }
        }

        Volatile.Write(ref sweepAt, Math.Max(FirstSweep, gates.Count * 2));
    }
}
