using System.Diagnostics;
using System.Text;
using Atomic.Credentials.Caching;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Caching;

public sealed class DistributedCredentialCacheTests
{
    private const string Key = "atomic:OAuthClientCredentials:crm:0123abcd";
    private readonly List<IDisposable> owned = [];
    private FakeTimeProvider time = null!;
    private TestStore store = null!;
    private FakeLogCollector logs = null!;
    private ILoggerFactory loggers = null!;
    private int factoryCalls;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        store = new TestStore();
        var provider = new FakeLoggerProvider();
        logs = provider.Collector;
        loggers = LoggerFactory.Create(builder => builder.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        factoryCalls = 0;
    }

    [TearDown]
    public void TearDown()
    {
        owned.ForEach(d => d.Dispose());
        owned.Clear();
        loggers.Dispose();
    }

    [Test]
    public async Task A_token_obtained_by_one_instance_is_served_to_another_without_a_second_request()
    {
        var first = Instance();
        var second = Instance();

        var obtained = await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        var shared = await second.GetOrCreateAsync(Key, Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(shared.Value, Is.EqualTo(obtained.Value));
            Assert.That(shared.ExpiresAt, Is.EqualTo(obtained.ExpiresAt));
            Assert.That(factoryCalls, Is.EqualTo(1));
        });
    }

    [TestCase(4_200, 5)]
    [TestCase(5_000, 5)]
    [TestCase(59_999, 60)]
    [TestCase(1, 1)]
    public async Task A_shared_entry_is_kept_in_whole_seconds_never_less_than_it_lives(int milliseconds, int seconds)
    {
        // RedisCache keeps entries for whole seconds, truncated: a pause stored for 4.9 s would leave Redis after 4.
        var cache = Instance();
        await cache.GetOrCreateAsync(Key, _ => Task.FromResult(new CachedCredential("v", time.GetUtcNow().AddMilliseconds(milliseconds))), CancellationToken.None);
        await Eventually(() => store.Lifetimes.ContainsKey(Key));

        Assert.That(store.Lifetimes[Key], Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }

    [Test]
    public async Task A_thousand_concurrent_misses_in_one_instance_make_one_store_read_and_one_factory_call()
    {
        var cache = Instance();
        var gate = new TaskCompletionSource();
        async Task<CachedCredential> Slow(CancellationToken token)
        {
            await gate.Task;
            return await Factory(token);
        }

        var callers = Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => cache.GetOrCreateAsync(Key, Slow, CancellationToken.None).AsTask()))
            .ToArray();
        await Task.Delay(100);
        gate.SetResult();
        var served = await Task.WhenAll(callers);

        Assert.Multiple(() =>
        {
            Assert.That(served.Select(s => s.Value).Distinct().Count(), Is.EqualTo(1));
            Assert.That(factoryCalls, Is.EqualTo(1));
            Assert.That(store.GetsOf(Key), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_failure_is_cached_neither_here_nor_in_the_store()
    {
        var cache = Instance();
        Task<CachedCredential> Failing(CancellationToken _)
        {
            Interlocked.Increment(ref factoryCalls);
            return Task.FromException<CachedCredential>(new HttpRequestException("identity provider down"));
        }

        Assert.That(async () => await cache.GetOrCreateAsync(Key, Failing, CancellationToken.None), Throws.TypeOf<HttpRequestException>());
        Assert.That(async () => await cache.GetOrCreateAsync(Key, Failing, CancellationToken.None), Throws.TypeOf<HttpRequestException>());
        await Task.Delay(50);

        Assert.Multiple(() =>
        {
            Assert.That(factoryCalls, Is.EqualTo(2));
            Assert.That(store.Sets, Is.Zero);
        });
    }

    [Test]
    public async Task What_is_stored_is_the_value_and_its_two_instants_and_nothing_else()
    {
        var cache = Instance();
        var entry = await cache.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        var raw = store.Raw(Key)!;

        var read = CachedCredentialFormat.Read(raw)!;
        Assert.Multiple(() =>
        {
            Assert.That(raw, Has.Length.EqualTo(17 + Encoding.UTF8.GetByteCount(entry.Value)));
            Assert.That(read.Value, Is.EqualTo(entry.Value));
            Assert.That(read.ExpiresAt, Is.EqualTo(entry.ExpiresAt));
            Assert.That(read.RefreshAt, Is.EqualTo(entry.RefreshAt));
        });
    }

    [Test]
    public async Task With_a_data_protection_protector_the_store_holds_no_token_in_clear_and_the_fleet_reads_it()
    {
        // One key ring for the "fleet": what an app gets by sharing Data Protection keys.
        var keyRing = new EphemeralDataProtectionProvider();
        var first = Instance(new DataProtectionCredentialProtector(keyRing));
        var second = Instance(new DataProtectionCredentialProtector(keyRing));
        var outsider = Instance(new DataProtectionCredentialProtector(new EphemeralDataProtectionProvider()));

        var entry = await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        var raw = store.Raw(Key)!;
        var shared = await second.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        var outsiders = await outsider.GetOrCreateAsync(Key, Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(Contains(raw, Encoding.UTF8.GetBytes(entry.Value)), Is.False, "the token is in clear in the store");
            Assert.That(Contains(raw, Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(entry.Value)))), Is.False);
            Assert.That(shared.Value, Is.EqualTo(entry.Value));
            Assert.That(factoryCalls, Is.EqualTo(2), "only the instance with other keys had to ask the identity provider");
            Assert.That(outsiders.Value, Is.Not.EqualTo(entry.Value));
            Assert.That(logs.GetSnapshot().Any(l => l.Id.Id == 604 && l.Level == LogLevel.Warning), Is.True, "an unreadable entry is reported");
        });
    }

    [Test]
    public async Task A_hanging_store_holds_a_request_no_longer_than_the_timeout_then_is_left_alone()
    {
        using var errors = new MetricCollector<long>((object?)null, "Atomic.Credentials", "atomic.credentials.cache.distributed.errors");
        var cache = Instance(options: new DistributedCredentialCacheOptions { Timeout = TimeSpan.FromMilliseconds(200), RetryAfter = TimeSpan.FromMinutes(1) }, clock: TimeProvider.System);
        store.Hangs = true;

        var watch = Stopwatch.StartNew();
        var entry = await cache.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        var firstWait = watch.Elapsed;
        watch.Restart();
        await cache.GetOrCreateAsync(Key + ":other", Factory, CancellationToken.None);
        var secondWait = watch.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(entry.Value, Is.EqualTo("token-1"));
            Assert.That(firstWait, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150)).And.LessThan(TimeSpan.FromMilliseconds(700)));
            Assert.That(secondWait, Is.LessThan(TimeSpan.FromMilliseconds(100)), "while the breaker is open the store is not waited on");
            Assert.That(store.GetsOf(Key), Is.EqualTo(1));
            Assert.That(store.GetsOf(Key + ":other"), Is.Zero);
            Assert.That(errors.GetMeasurementSnapshot().Any(m => (string?)m.Tags["reason"] == "timeout"), Is.True);
            Assert.That(logs.GetSnapshot().Count(l => l.Id.Id == 600 && l.Level == LogLevel.Warning), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task While_the_store_is_down_requests_are_served_and_when_it_returns_sharing_resumes()
    {
        var options = new DistributedCredentialCacheOptions { RetryAfter = TimeSpan.FromSeconds(10) };
        var first = Instance(options: options);
        var second = Instance(options: options);
        store.Down = true;

        var a = await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        var b = await second.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        Assert.That(new[] { a.Value, b.Value }, Is.Unique, "no sharing while the store is down, but no failure either");

        store.Down = false;
        time.Advance(TimeSpan.FromSeconds(11));
        var callsBefore = factoryCalls;
        var c = await first.GetOrCreateAsync(Key + ":next", Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key + ":next") is not null);
        var d = await second.GetOrCreateAsync(Key + ":next", Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(d.Value, Is.EqualTo(c.Value));
            Assert.That(factoryCalls - callsBefore, Is.EqualTo(1));
            Assert.That(logs.GetSnapshot().Any(l => l.Id.Id == 602), Is.True, "the recovery is logged");
        });
    }

    [Test]
    public async Task A_shared_entry_past_its_refresh_instant_is_renewed_once_and_kept_if_renewal_fails()
    {
        var first = Instance();
        var original = await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        time.Advance(TimeSpan.FromSeconds(50)); // past RefreshAt (45 s), before ExpiresAt (60 s)

        var failing = Instance();
        Task<CachedCredential> Down(CancellationToken _)
        {
            Interlocked.Increment(ref factoryCalls);
            return Task.FromException<CachedCredential>(new HttpRequestException("identity provider down"));
        }

        var kept = await failing.GetOrCreateAsync(Key, Down, CancellationToken.None);
        var renewing = Instance();
        var renewed = await renewing.GetOrCreateAsync(Key, Factory, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(kept.Value, Is.EqualTo(original.Value), "a failed renewal serves the still valid shared entry");
            Assert.That(renewed.Value, Is.Not.EqualTo(original.Value), "a renewal replaces the entry");
            Assert.That(logs.GetSnapshot().Any(l => l.Id.Id == 605), Is.True);
        });
    }

    [Test]
    public async Task Instances_holding_one_entry_renew_at_different_instants_and_the_later_one_reads_the_renewal()
    {
        var early = Instance(jitter: 0.0);
        var late = Instance(jitter: 0.5);
        var original = await early.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        Assert.That((await late.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value, Is.EqualTo(original.Value));

        // Refresh at 45 s, expiry at 60 s: renewals spread over 45..52.5 s; "late" renews at 48.75 s.
        time.Advance(TimeSpan.FromSeconds(46));
        await early.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => CachedCredentialFormat.Read(store.Raw(Key) ?? [])?.Value is { } v && v != original.Value);
        time.Advance(TimeSpan.FromSeconds(3));
        await late.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => late.GetOrCreateAsync(Key, Factory, CancellationToken.None).AsTask().Result.Value != original.Value);

        Assert.Multiple(async () =>
        {
            Assert.That(factoryCalls, Is.EqualTo(2), "one renewal for both instances");
            Assert.That((await late.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value,
                Is.EqualTo((await early.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value));
        });
    }

    [Test]
    public async Task An_expired_shared_entry_is_never_served()
    {
        var first = Instance();
        await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);
        time.Advance(TimeSpan.FromSeconds(61));

        var late = await Instance().GetOrCreateAsync(Key, Factory, CancellationToken.None);

        Assert.That(late.Value, Is.EqualTo("token-2"));
    }

    [Test]
    public async Task Remove_evicts_the_rejected_token_from_the_store_and_leaves_a_newer_one()
    {
        var first = Instance();
        var second = Instance();
        var rejected = await first.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => store.Raw(Key) is not null);

        await second.RemoveAsync(Key, "some-older-token", CancellationToken.None);
        Assert.That(store.Raw(Key), Is.Not.Null);

        await second.RemoveAsync(Key, rejected.Value, CancellationToken.None);
        Assert.That(store.Raw(Key), Is.Null);
        var replaced = await second.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        Assert.That(replaced.Value, Is.Not.EqualTo(rejected.Value));
    }

    [Test]
    public async Task Logs_at_trace_never_contain_the_token()
    {
        store.Down = true;
        var cache = Instance(new DataProtectionCredentialProtector(new EphemeralDataProtectionProvider()));
        var entry = await cache.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        store.Down = false;
        time.Advance(TimeSpan.FromMinutes(5));
        await Instance().GetOrCreateAsync(Key, Factory, CancellationToken.None);

        var text = string.Join("\n", logs.GetSnapshot().Select(l => l.Message + l.Exception));
        Assert.Multiple(() =>
        {
            Assert.That(logs.GetSnapshot(), Is.Not.Empty);
            Assert.That(text, Does.Not.Contain(entry.Value));
            Assert.That(text, Does.Not.Contain("token-"));
        });
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void A_timeout_that_is_not_positive_is_refused_naming_the_field(int milliseconds)
    {
        var options = new DistributedCredentialCacheOptions { Timeout = TimeSpan.FromMilliseconds(milliseconds) };
        Assert.That(() => new DistributedCredentialCache(store, options: options),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Timeout"));
    }

    private DistributedCredentialCache Instance(
        ICredentialProtector? protector = null, DistributedCredentialCacheOptions? options = null, TimeProvider? clock = null, double jitter = 0.0)
    {
        var cache = new DistributedCredentialCache(store, protector, options, clock ?? time, loggers) { Jitter = () => jitter };
        owned.Add(cache);
        return cache;
    }

    private Task<CachedCredential> Factory(CancellationToken _)
    {
        var call = Interlocked.Increment(ref factoryCalls);
        var now = time.GetUtcNow();
        return Task.FromResult(new CachedCredential($"token-{call}", now.AddSeconds(60), now.AddSeconds(45)));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "condition not met within 3 s");
    }
}

/// <summary>The adapter docs/caching.md once showed: ASP.NET Data Protection as the cache's protector.</summary>
internal sealed class DataProtectionCredentialProtector(IDataProtectionProvider provider) : ICredentialProtector
{
    private readonly IDataProtector protector = provider.CreateProtector("Atomic.Credentials.Cache");

    public byte[] Protect(byte[] plaintext) => protector.Protect(plaintext);

    public byte[] Unprotect(byte[] protectedData) => protector.Unprotect(protectedData);
}
