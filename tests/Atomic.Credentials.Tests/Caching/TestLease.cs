using System.Collections.Concurrent;
using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Tests.Caching;

/// <summary>
/// A fleet's lease for tests, with Redis's semantics (claim unless held and unexpired; release only
/// by the value that holds it), that records every claim and release and can fail like a Redis that is down.
/// </summary>
internal sealed class TestLease(TimeProvider time) : ICredentialLease
{
    private readonly Dictionary<string, (string Holder, DateTimeOffset Until)> held = new(StringComparer.Ordinal);

    public volatile bool Down;

    /// <summary>Runs as a release begins (to observe what the store holds then).</summary>
    public Action? Releasing { get; set; }

    /// <summary>Every holder value the cache claimed with, won or not.</summary>
    public ConcurrentQueue<string> Claims { get; } = new();

    /// <summary>Every (holder, whether it still held the lease) release.</summary>
    public ConcurrentQueue<(string Holder, bool Held)> Releases { get; } = new();

    /// <summary>Claims that succeeded.</summary>
    public ConcurrentQueue<string> Won { get; } = new();

    public async Task<bool> TryAcquireAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        Claims.Enqueue(holder);
        lock (held)
        {
            if (held.TryGetValue(key, out var current) && current.Until > time.GetUtcNow())
            {
                return false;
            }

            held[key] = (holder, time.GetUtcNow() + duration);
        }

        Won.Enqueue(holder);
        return true;
    }

    public async Task ReleaseAsync(string key, string holder, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        Releasing?.Invoke();
        lock (held)
        {
            var holds = held.TryGetValue(key, out var current) && current.Holder == holder;
            if (holds)
            {
                held.Remove(key);
            }

            Releases.Enqueue((holder, holds));
        }
    }

    /// <summary>Every (holder, whether it still held the lease) extension.</summary>
    public ConcurrentQueue<(string Holder, bool Held)> Extensions { get; } = new();

    public async Task<bool> TryExtendAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ThrowIfDown();
        lock (held)
        {
            var holds = held.TryGetValue(key, out var current) && current.Holder == holder && current.Until > time.GetUtcNow();
            if (holds)
            {
                held[key] = (holder, time.GetUtcNow() + duration);
            }

            Extensions.Enqueue((holder, holds));
            return holds;
        }
    }

    /// <summary>Whether anyone holds <paramref name="key"/> now.</summary>
    public bool IsHeld(string key)
    {
        lock (held)
        {
            return held.TryGetValue(key, out var current) && current.Until > time.GetUtcNow();
        }
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new InvalidOperationException("lease store down (test)");
        }
    }
}
