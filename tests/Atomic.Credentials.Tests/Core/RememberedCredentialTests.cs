using System.Net;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Internal;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.Core;

/// <summary>
/// The entry a handler remembers between cache lookups: held until its refresh instant on the
/// handler's clock, dropped at once on a rejection, never resurrected by a lookup that raced one.
/// </summary>
public sealed class RememberedCredentialTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private FakeTimeProvider time = null!;

    [SetUp]
    public void SetUp() => time = new FakeTimeProvider(Start);

    [Test]
    public void An_entry_is_held_until_its_refresh_instant_then_let_go()
    {
        var remembered = new RememberedCredential(time);
        var entry = new CachedCredential("Bearer a", Start.AddMinutes(5), Start.AddSeconds(45));

        remembered.Remember(entry, remembered.Generation);
        time.Advance(TimeSpan.FromSeconds(44.999));
        Assert.That(remembered.Entry, Is.SameAs(entry), "before the refresh instant");

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(remembered.Entry, Is.Null, "at the refresh instant the cache is asked again");
    }

    [Test]
    public void An_entry_without_a_refresh_instant_is_held_until_it_expires()
    {
        var remembered = new RememberedCredential(time);
        remembered.Remember(new CachedCredential("Bearer a", Start.AddSeconds(30)), remembered.Generation);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(remembered.Entry, Is.Not.Null);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(remembered.Entry, Is.Null);
    }

    [Test]
    public void An_entry_already_due_for_refresh_is_not_held()
    {
        var remembered = new RememberedCredential(time);
        remembered.Remember(new CachedCredential("Bearer a", Start.AddSeconds(30), Start), remembered.Generation);

        Assert.That(remembered.Entry, Is.Null, "the cache is refreshing it: requests keep asking the cache");
    }

    [Test]
    public void A_rejection_lets_go_at_once_and_a_lookup_begun_before_it_cannot_bring_the_entry_back()
    {
        var remembered = new RememberedCredential(time);
        var rejected = new CachedCredential("Bearer old", Start.AddMinutes(5), Start.AddMinutes(1));
        var before = remembered.Generation;
        remembered.Remember(rejected, before);

        remembered.Forget();
        Assert.That(remembered.Entry, Is.Null);

        // A request read the generation, asked the cache and got the rejected entry while the 401 was handled.
        remembered.Remember(rejected, before);
        Assert.That(remembered.Entry, Is.Null, "a lookup that raced the rejection is not remembered");

        var fresh = new CachedCredential("Bearer new", Start.AddMinutes(5), Start.AddMinutes(1));
        remembered.Remember(fresh, remembered.Generation);
        Assert.That(remembered.Entry, Is.SameAs(fresh));
    }

    [Test]
    public void A_newer_entry_replaces_the_held_one_and_only_its_own_timer_lets_it_go()
    {
        var remembered = new RememberedCredential(time);
        remembered.Remember(new CachedCredential("Bearer a", Start.AddMinutes(5), Start.AddSeconds(10)), remembered.Generation);
        time.Advance(TimeSpan.FromSeconds(5));
        var newer = new CachedCredential("Bearer b", Start.AddMinutes(5), Start.AddSeconds(60));
        remembered.Remember(newer, remembered.Generation);

        time.Advance(TimeSpan.FromSeconds(10)); // past the first entry's refresh instant
        Assert.That(remembered.Entry, Is.SameAs(newer));
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.That(remembered.Entry, Is.Null);
    }

    [Test]
    public async Task Under_steady_load_the_OAuth_handler_asks_the_cache_once_per_token_not_once_per_request()
    {
        using var inner = new MemoryCredentialCache(time);
        var cache = new CountingCache(inner);
        var tokens = 0;
        var endpoint = new StubHandler(_ => Token($"tok-{Interlocked.Increment(ref tokens)}"));
        using var client = Client(Options(), endpoint, cache: cache, time: time);

        for (var i = 0; i < 100; i++)
        {
            Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        }

        Assert.That(cache.Lookups, Is.EqualTo(1), "one lookup for the first request, then the remembered token");

        // At the refresh instant (CacheDuration 45 s) the cache is asked again and replaces the token.
        time.Advance(TimeSpan.FromSeconds(45));
        var served = await client.GetStringAsync(ApiUrl);
        Assert.That(served, Is.AnyOf("Bearer tok-1", "Bearer tok-2"), "the current token is served while its replacement is fetched");
        await UntilServedAsync(client, "Bearer tok-2");
        var lookups = cache.Lookups;
        for (var i = 0; i < 100; i++)
        {
            await client.GetStringAsync(ApiUrl);
        }

        Assert.Multiple(() =>
        {
            Assert.That(cache.Lookups, Is.EqualTo(lookups), "the replacement is remembered in turn");
            Assert.That(tokens, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_401_on_the_remembered_token_makes_every_later_request_use_the_new_one()
    {
        var tokens = 0;
        var endpoint = new StubHandler(_ => Token($"tok-{Interlocked.Increment(ref tokens)}"));
        var revoked = false;
        var api = new StubHandler(request => new HttpResponseMessage(
            revoked && request.Headers.Authorization!.Parameter == "tok-1" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK)
        {
            Content = new StringContent(request.Headers.Authorization!.ToString()),
        });
        using var client = Client(Options(), endpoint, api, time: time);
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"), "remembered");

        revoked = true;
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-2"), "the 401 is retried with a new token");
        for (var i = 0; i < 10; i++)
        {
            Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-2"), "the rejected token is not remembered");
        }

        Assert.That(tokens, Is.EqualTo(2));
    }

    [Test]
    public async Task A_key_pair_handler_signs_once_and_asks_the_cache_once_until_the_refresh_instant()
    {
        using var inner = new MemoryCredentialCache(time);
        var cache = new CountingCache(inner);
        var seen = new List<string>();
        var api = new StubHandler(request =>
        {
            lock (seen)
            {
                seen.Add(request.Headers.Authorization!.Parameter!);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new HttpClient(new KeyPairJwtHandler(KeyPair.KeyPairValidationTests.Options(), cache: cache, timeProvider: time) { InnerHandler = api });

        for (var i = 0; i < 50; i++)
        {
            (await client.GetAsync(KeyPairApi)).Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(cache.Lookups, Is.EqualTo(1));
            Assert.That(seen.Distinct().Count(), Is.EqualTo(1));
        });

        // 90 % of the default 5 minutes: the JWT is replaced.
        time.Advance(TimeSpan.FromMinutes(4.5));
        for (var i = 0; i < 20 && seen.Distinct().Count() < 2; i++)
        {
            (await client.GetAsync(KeyPairApi)).Dispose();
            await Task.Delay(10);
        }

        Assert.That(seen.Distinct().Count(), Is.EqualTo(2), "a new JWT after the refresh instant");
    }

    private static readonly Uri KeyPairApi = new("https://partner.example.com/orders");

    private static async Task UntilServedAsync(HttpClient client, string expected)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await client.GetStringAsync(ApiUrl) == expected)
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"'{expected}' was never served");
    }

    private sealed class CountingCache(ICredentialCache inner) : ICredentialCache
    {
        private int lookups;

        public int Lookups => Volatile.Read(ref lookups);

        public ValueTask<CachedCredential> GetOrCreateAsync(string key, Func<CancellationToken, Task<CachedCredential>> factory, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref lookups);
            return inner.GetOrCreateAsync(key, factory, cancellationToken);
        }

        public ValueTask RemoveAsync(string key, string value, CancellationToken cancellationToken) =>
            inner.RemoveAsync(key, value, cancellationToken);
    }
}
