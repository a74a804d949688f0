using Atomic.Credentials.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Caching;

public sealed class MemoryCredentialCacheTests
{
    private FakeTimeProvider time = null!;
    private MemoryCredentialCache cache = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        cache = new MemoryCredentialCache(time);
    }

    [TearDown]
    public void TearDown() => cache.Dispose();

    [Test]
    public async Task A_thousand_concurrent_misses_call_the_factory_once()
    {
        var calls = 0;
        var gate = new TaskCompletionSource();
        async Task<CachedCredential> Factory(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            await gate.Task;
            return new CachedCredential("token-1", time.GetUtcNow().AddMinutes(1));
        }

        var callers = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => cache.GetOrCreateAsync("k", Factory, CancellationToken.None).AsTask()))
            .ToArray();
        await Task.Delay(100);
        gate.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(results.Select(r => r.Value).Distinct(), Is.EqualTo(new[] { "token-1" }));
        });
    }

    [Test]
    public async Task Cancelling_one_waiter_leaves_the_others_served_and_the_fetch_running()
    {
        var gate = new TaskCompletionSource();
        var factoryToken = CancellationToken.None;
        async Task<CachedCredential> Factory(CancellationToken token)
        {
            factoryToken = token;
            await gate.Task;
            return new CachedCredential("shared", time.GetUtcNow().AddMinutes(1));
        }

        using var impatient = new CancellationTokenSource();
        var cancelled = cache.GetOrCreateAsync("k", Factory, impatient.Token).AsTask();
        var patient = Enumerable.Range(0, 10).Select(_ => cache.GetOrCreateAsync("k", Factory, CancellationToken.None).AsTask()).ToArray();

        await impatient.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(factoryToken.IsCancellationRequested, Is.False);

        gate.SetResult();
        var served = await Task.WhenAll(patient);
        Assert.That(served.Select(s => s.Value), Is.All.EqualTo("shared"));
    }

    [Test]
    public async Task A_failure_is_not_cached_and_the_next_call_tries_again()
    {
        var calls = 0;
        Task<CachedCredential> Factory(CancellationToken _) =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<CachedCredential>(new InvalidOperationException("identity provider down"))
                : Task.FromResult(new CachedCredential("second", time.GetUtcNow().AddMinutes(1)));

        Assert.That(async () => await cache.GetOrCreateAsync("k", Factory, CancellationToken.None), Throws.InvalidOperationException);
        var entry = await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(entry.Value, Is.EqualTo("second"));
            Assert.That(calls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task An_entry_is_served_until_it_expires_and_not_after()
    {
        var calls = 0;
        Task<CachedCredential> Factory(CancellationToken _) =>
            Task.FromResult(new CachedCredential($"t{Interlocked.Increment(ref calls)}", time.GetUtcNow().AddSeconds(45)));

        var first = await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(44));
        var stillFirst = await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first.Value, Is.EqualTo("t1"));
            Assert.That(stillFirst.Value, Is.EqualTo("t1"));
            Assert.That(second.Value, Is.EqualTo("t2"));
        });
    }

    [Test]
    public async Task Past_its_refresh_instant_an_entry_is_served_while_one_background_refresh_replaces_it()
    {
        var calls = 0;
        var refreshGate = new TaskCompletionSource();
        async Task<CachedCredential> Factory(CancellationToken _)
        {
            var call = Interlocked.Increment(ref calls);
            if (call > 1)
            {
                await refreshGate.Task;
            }

            var now = time.GetUtcNow();
            return new CachedCredential($"t{call}", now.AddSeconds(100), now.AddSeconds(90));
        }

        await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(91));

        // Many callers past the refresh instant: all served at once with the current entry.
        var served = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var pending = cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
            Assert.That(pending.IsCompletedSuccessfully, Is.True, "a caller waited for the refresh");
            served.Add((await pending).Value);
        }

        refreshGate.SetResult();
        await WaitUntil(async () => (await cache.GetOrCreateAsync("k", Factory, CancellationToken.None)).Value == "t2");

        Assert.Multiple(() =>
        {
            Assert.That(served, Is.All.EqualTo("t1"));
            Assert.That(calls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_failed_refresh_keeps_serving_the_valid_entry_and_retries_later_not_on_every_call()
    {
        var calls = 0;
        Task<CachedCredential> Factory(CancellationToken _)
        {
            var call = Interlocked.Increment(ref calls);
            var now = time.GetUtcNow();
            return call == 1
                ? Task.FromResult(new CachedCredential("t1", now.AddSeconds(100), now.AddSeconds(90)))
                : Task.FromException<CachedCredential>(new HttpRequestException("down"));
        }

        await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(91));
        await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        await WaitUntil(() => Task.FromResult(Volatile.Read(ref calls) == 2));

        // The failed refresh postpones the next one: the entry served carries a later refresh instant.
        await WaitUntil(async () => (await cache.GetOrCreateAsync("k", Factory, CancellationToken.None)).RefreshAt > time.GetUtcNow());
        for (var i = 0; i < 20; i++)
        {
            Assert.That((await cache.GetOrCreateAsync("k", Factory, CancellationToken.None)).Value, Is.EqualTo("t1"));
        }

        Assert.That(calls, Is.EqualTo(2), "a failed refresh is retried after a delay, not on every call");
    }

    [Test]
    public async Task Remove_evicts_only_the_rejected_value()
    {
        var calls = 0;
        Task<CachedCredential> Factory(CancellationToken _) =>
            Task.FromResult(new CachedCredential($"t{Interlocked.Increment(ref calls)}", time.GetUtcNow().AddMinutes(1)));

        await cache.GetOrCreateAsync("k", Factory, CancellationToken.None);
        await cache.RemoveAsync("k", "some-older-token", CancellationToken.None);
        Assert.That((await cache.GetOrCreateAsync("k", Factory, CancellationToken.None)).Value, Is.EqualTo("t1"));

        await cache.RemoveAsync("k", "t1", CancellationToken.None);
        Assert.That((await cache.GetOrCreateAsync("k", Factory, CancellationToken.None)).Value, Is.EqualTo("t2"));
    }

    [Test]
    public void ToString_of_an_entry_hides_its_value()
    {
        var entry = new CachedCredential("super-secret-token", time.GetUtcNow());
        Assert.That(entry.ToString(), Does.Not.Contain("super-secret-token"));
    }

    [Test]
    public void Disposing_twice_is_harmless_and_a_disposed_cache_says_so()
    {
        cache.Dispose();
        Assert.DoesNotThrow(cache.Dispose);
        Assert.That(
            async () => await cache.GetOrCreateAsync("k", _ => Task.FromResult(new CachedCredential("v", time.GetUtcNow().AddMinutes(1))), CancellationToken.None),
            Throws.InstanceOf<ObjectDisposedException>());
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail("condition not met within 10 s");
    }
}
