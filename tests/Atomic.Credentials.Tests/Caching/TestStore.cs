using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;

namespace Atomic.Credentials.Tests.Caching;

/// <summary>
/// A shared store for tests: a real <see cref="MemoryDistributedCache"/> that can be made to fail
/// or to hang (as a Redis that is down or slow), and that counts calls.
/// </summary>
internal sealed class TestStore : IDistributedCache
{
    private readonly MemoryDistributedCache inner = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> gets = new(StringComparer.Ordinal);
    private int sets;

    public volatile bool Down;
    public volatile bool Hangs;

    /// <summary>Reads of <paramref name="key"/> (the cache also reads a key of its own once, to connect early).</summary>
    public int GetsOf(string key) => gets.GetValueOrDefault(key);

    public int Sets => Volatile.Read(ref sets);

    /// <summary>The relative expiration each key was last written with.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, TimeSpan?> Lifetimes { get; } = new(StringComparer.Ordinal);

    public byte[]? Raw(string key) => inner.Get(key);

    public byte[]? Get(string key) => throw new NotSupportedException("the credential cache must only use the async API");

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        gets.AddOrUpdate(key, 1, (_, n) => n + 1);
        await Misbehave();
        return await inner.GetAsync(key, token);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Interlocked.Increment(ref sets);
        Lifetimes[key] = options.AbsoluteExpirationRelativeToNow;
        await Misbehave();
        await inner.SetAsync(key, value, options, token);
    }

    public void Refresh(string key) => throw new NotSupportedException();

    public Task RefreshAsync(string key, CancellationToken token = default) => throw new NotSupportedException();

    public void Remove(string key) => throw new NotSupportedException();

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await Misbehave();
        await inner.RemoveAsync(key, token);
    }

    private async Task Misbehave()
    {
        if (Hangs)
        {
            // Like a Redis call stuck on a dead connection: it ignores cancellation.
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
        }

        if (Down)
        {
            throw new InvalidOperationException("store down (test)");
        }

        await Task.Yield();
    }
}
