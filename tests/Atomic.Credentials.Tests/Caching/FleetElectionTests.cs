using System.Diagnostics;
using Atomic.Credentials.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Caching;

/// <summary>
/// Instances of a fleet (distributed caches over one shared store and one lease) that miss the same
/// entry together elect one to call the factory; the others wait, bounded, for its entry; a holder
/// that dies holds them back no longer than its lease; a lease service that fails leaves each
/// instance its own single flight; renewal goes through the same election.
/// </summary>
[NonParallelizable]
public sealed class FleetElectionTests
{
    private const string Key = "atomic:OAuthClientCredentials:crm:feedc0de";
    private readonly List<IDisposable> owned = [];
    private TestStore store = null!;
    private int factoryCalls;

    [SetUp]
    public void SetUp() => (store, factoryCalls) = (new TestStore(), 0);

    [TearDown]
    public void TearDown()
    {
        owned.ForEach(d => d.Dispose());
        owned.Clear();
    }

    [Test]
    public async Task Instances_missing_together_make_one_factory_call_whatever_their_number_and_timing()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var lease = new TestLease(TimeProvider.System);
        for (var round = 0; round < 12; round++)
        {
            var key = $"{Key}{round}";
            var (instances, callers, delay) = (random.Next(2, 9), random.Next(1, 40), random.Next(0, 60));
            var fleet = Enumerable.Range(0, instances).Select(_ => Instance(lease)).ToArray();
            var before = factoryCalls;

            var served = await Task.WhenAll(fleet.SelectMany(cache => Enumerable.Range(0, callers).Select(_ =>
                Task.Run(() => cache.GetOrCreateAsync(key, Slow(delay), CancellationToken.None).AsTask()))));

            var context = $"round {round}: {instances} instances × {callers} callers, factory {delay} ms (seed {seed})";
            Assert.Multiple(() =>
            {
                Assert.That(factoryCalls - before, Is.EqualTo(1), context);
                Assert.That(served.Select(s => s.Value).Distinct().Count(), Is.EqualTo(1), context);
            });
            await Eventually(() => !lease.IsHeld(FleetElection.LeaseKey(key)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(lease.Won, Has.Count.EqualTo(12), "one claim won per round");
            Assert.That(lease.Releases.Where(r => r.Held).Select(r => r.Holder), Is.EquivalentTo(lease.Won), "each lease released by its holder");
        });
    }

    [Test]
    public async Task The_entry_is_shared_before_the_lease_is_released()
    {
        var lease = new TestLease(TimeProvider.System);
        var cache = Instance(lease);
        byte[]? storedAtRelease = null;
        lease.Releasing = () => storedAtRelease = store.Raw(Key);

        await cache.GetOrCreateAsync(Key, Slow(0), CancellationToken.None);
        await Eventually(() => !lease.Releases.IsEmpty);

        Assert.That(storedAtRelease, Is.Not.Null, "an instance claiming the lease next finds the entry");
    }

    [Test]
    public async Task A_holder_that_died_holds_the_fleet_back_for_its_lease_only_then_one_waiter_takes_over()
    {
        var lease = new TestLease(TimeProvider.System);
        var deadHolderLease = TimeSpan.FromMilliseconds(400);
        Assert.That(await lease.TryAcquireAsync(FleetElection.LeaseKey(Key), "holder-that-died", deadHolderLease, CancellationToken.None), Is.True);
        var options = new DistributedCredentialCacheOptions { LeaseDuration = TimeSpan.FromSeconds(2), LeaseWait = TimeSpan.FromSeconds(10) };
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(lease, options)).ToArray();

        var clock = Stopwatch.StartNew();
        var served = await Task.WhenAll(fleet.SelectMany(cache => Enumerable.Range(0, 25).Select(_ =>
            cache.GetOrCreateAsync(Key, Slow(50), CancellationToken.None).AsTask())));
        clock.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(factoryCalls, Is.EqualTo(1), "one waiter took the lapsed lease over; the others waited for its entry");
            Assert.That(served.Select(s => s.Value), Is.All.EqualTo("token-1"));
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(deadHolderLease - TimeSpan.FromMilliseconds(20)), "nobody fetched while the lease held");
            Assert.That(clock.Elapsed, Is.LessThan(options.LeaseWait), "the takeover came with the lease's end, not the wait's");
        });
    }

    [Test]
    public async Task A_holder_whose_identity_provider_is_slower_than_the_lease_keeps_it_and_the_fleet_waits()
    {
        var lease = new TestLease(TimeProvider.System);
        var options = new DistributedCredentialCacheOptions { LeaseDuration = TimeSpan.FromMilliseconds(300), LeaseWait = TimeSpan.FromSeconds(10) };
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(lease, options)).ToArray();

        // The fetch takes four lease durations: without extending, a waiter would take the lapsed lease over and fetch too.
        var served = await Task.WhenAll(fleet.SelectMany(cache => Enumerable.Range(0, 10).Select(_ =>
            cache.GetOrCreateAsync(Key, Slow(1200), CancellationToken.None).AsTask())));
        await Eventually(() => !lease.IsHeld(FleetElection.LeaseKey(Key)));
        var extensionsAtRelease = lease.Extensions.Count;
        await Task.Delay(options.LeaseDuration);

        Assert.Multiple(() =>
        {
            Assert.That(factoryCalls, Is.EqualTo(1), "the holder kept its lease for the whole fetch");
            Assert.That(served.Select(s => s.Value), Is.All.EqualTo("token-1"));
            Assert.That(lease.Won, Has.Count.EqualTo(1));
            Assert.That(lease.Extensions.Select(e => e.Holder), Is.All.EqualTo(lease.Won.Single()), "extended by its holder only");
            Assert.That(lease.Extensions.Count(e => e.Held), Is.GreaterThanOrEqualTo(3), "about every third of the lease while the fetch ran");
            Assert.That(lease.Extensions.Count, Is.EqualTo(extensionsAtRelease), "nothing extended once the fetch is over");
        });
    }

    [Test]
    public async Task A_lease_that_never_lapses_makes_a_waiter_fetch_on_its_own_after_LeaseWait()
    {
        var lease = new TestLease(TimeProvider.System);
        await lease.TryAcquireAsync(FleetElection.LeaseKey(Key), "stuck", TimeSpan.FromMinutes(1), CancellationToken.None);
        var options = new DistributedCredentialCacheOptions { LeaseWait = TimeSpan.FromMilliseconds(300) };
        var cache = Instance(lease, options);

        var clock = Stopwatch.StartNew();
        var served = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.GetOrCreateAsync(Key, Slow(0), CancellationToken.None).AsTask()));

        Assert.Multiple(() =>
        {
            Assert.That(served.Select(s => s.Value), Is.All.EqualTo("token-1"));
            Assert.That(factoryCalls, Is.EqualTo(1), "one fetch in the process, as without a fleet");
            Assert.That(clock.Elapsed, Is.InRange(options.LeaseWait - TimeSpan.FromMilliseconds(20), options.LeaseWait + TimeSpan.FromSeconds(3)));
            Assert.That(lease.Won.Where(holder => holder != "stuck"), Is.Empty, "the stuck lease was never taken from its holder");
        });
    }

    [Test]
    public async Task A_lease_service_that_fails_leaves_each_instance_its_own_single_flight()
    {
        var lease = new TestLease(TimeProvider.System) { Down = true };
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(lease)).ToArray();

        var served = await Task.WhenAll(fleet.Select(cache => Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            cache.GetOrCreateAsync(Key, Slow(100), CancellationToken.None).AsTask()))));

        Assert.Multiple(() =>
        {
            Assert.That(served.Select(instance => instance.Select(s => s.Value).Distinct().Count()), Is.All.EqualTo(1), "one fetch per instance");
            Assert.That(factoryCalls, Is.InRange(1, 4), "at most one per instance");
        });
    }

    [Test]
    public async Task A_shared_store_and_lease_both_down_make_exactly_one_factory_call_per_instance()
    {
        var lease = new TestLease(TimeProvider.System) { Down = true };
        store.Down = true;
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(lease)).ToArray();

        var served = await Task.WhenAll(fleet.SelectMany(cache => Enumerable.Range(0, 50).Select(_ =>
            cache.GetOrCreateAsync(Key, Slow(20), CancellationToken.None).AsTask())));

        Assert.Multiple(() =>
        {
            Assert.That(served, Has.Length.EqualTo(200));
            Assert.That(factoryCalls, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task A_failed_fetch_releases_the_lease_so_the_next_instance_fetches_without_waiting()
    {
        var lease = new TestLease(TimeProvider.System);
        var options = new DistributedCredentialCacheOptions { LeaseWait = TimeSpan.FromSeconds(10) };
        var (one, two) = (Instance(lease, options), Instance(lease, options));
        Task<CachedCredential> Failing(CancellationToken _)
        {
            Interlocked.Increment(ref factoryCalls);
            throw new CredentialException("crm", "OAuthClientCredentials", "token endpoint refused (test)");
        }

        Assert.ThrowsAsync<CredentialException>(async () => await one.GetOrCreateAsync(Key, Failing, CancellationToken.None));
        await Eventually(() => lease.Releases.Any(r => r.Held));
        var clock = Stopwatch.StartNew();
        var served = await two.GetOrCreateAsync(Key, Slow(0), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(served.Value, Is.EqualTo("token-2"));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "no wait for a lease nobody holds");
        });
    }

    [Test]
    public async Task Renewal_goes_through_the_election_and_the_others_keep_serving_then_pick_up_the_renewed_entry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var lease = new TestLease(time);
        var (one, two) = (Instance(lease, clock: time), Instance(lease, clock: time));
        Task<CachedCredential> Factory(CancellationToken _)
        {
            var call = Interlocked.Increment(ref factoryCalls);
            var now = time.GetUtcNow();
            return Task.FromResult(new CachedCredential($"token-{call}", now.AddSeconds(600), now.AddSeconds(45)));
        }

        Assert.That((await one.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value, Is.EqualTo("token-1"));
        await Eventually(() => store.Raw(Key) is not null);
        Assert.That((await two.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value, Is.EqualTo("token-1"));

        // Due for renewal; a third instance holds the lease (it is renewing).
        time.Advance(TimeSpan.FromSeconds(46));
        await lease.TryAcquireAsync(FleetElection.LeaseKey(Key), "third-instance", TimeSpan.FromSeconds(5), CancellationToken.None);
        var claims = lease.Claims.Count;
        Assert.That((await two.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value, Is.EqualTo("token-1"), "still served");
        await Eventually(() => lease.Claims.Count > claims);
        await Task.Delay(50);
        Assert.That(factoryCalls, Is.EqualTo(1), "not elected: no renewal of its own");

        // The lease is free again: the first instance to look renews, once.
        await lease.ReleaseAsync(FleetElection.LeaseKey(Key), "third-instance", CancellationToken.None);
        Assert.That((await one.GetOrCreateAsync(Key, Factory, CancellationToken.None)).Value, Is.EqualTo("token-1"));
        await Eventually(() => factoryCalls == 2 && lease.Releases.Count(r => r.Held) == 3); // the first fetch's, the third's, this one's

        // The other picks the renewed entry up at its next look, without a token request.
        time.Advance(CredentialLifetime.RefreshRetryDelay);
        await two.GetOrCreateAsync(Key, Factory, CancellationToken.None);
        await Eventually(() => two.GetOrCreateAsync(Key, Factory, CancellationToken.None).AsTask().Result.Value == "token-2");
        Assert.That(factoryCalls, Is.EqualTo(2));
    }

    [Test]
    public void Holder_values_are_random_unique_and_unrelated_to_the_key()
    {
        var holders = Enumerable.Range(0, 10_000).Select(_ => FleetElection.NewHolder()).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(holders.Distinct().Count(), Is.EqualTo(holders.Length));
            Assert.That(holders, Is.All.Match("^[0-9a-f]{32}$"), "128 random bits");
            Assert.That(holders, Has.None.Contain(Key[^8..]));
            Assert.That(FleetElection.LeaseKey(Key), Is.EqualTo(Key + ":lease"), "derived from the hashed cache key only");
        });
    }

    [Test]
    public async Task Every_claim_of_a_fleet_uses_a_value_of_its_own()
    {
        var lease = new TestLease(TimeProvider.System);
        await lease.TryAcquireAsync(FleetElection.LeaseKey(Key), "slow-holder", TimeSpan.FromMilliseconds(300), CancellationToken.None);
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(lease)).ToArray();

        await Task.WhenAll(fleet.Select(cache => cache.GetOrCreateAsync(Key, Slow(0), CancellationToken.None).AsTask()));

        var claims = lease.Claims.Where(c => c != "slow-holder").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(claims, Has.Length.GreaterThan(4), "waiters claimed again while they waited");
            Assert.That(claims.Distinct().Count(), Is.EqualTo(claims.Length), "never the same value twice");
        });
    }

    private DistributedCredentialCache Instance(TestLease lease, DistributedCredentialCacheOptions? options = null, TimeProvider? clock = null)
    {
        var cache = new DistributedCredentialCache(store, options: options, timeProvider: clock ?? TimeProvider.System, lease: lease) { Jitter = () => 0 };
        owned.Add(cache);
        return cache;
    }

    private Func<CancellationToken, Task<CachedCredential>> Slow(int milliseconds) => async token =>
    {
        var call = Interlocked.Increment(ref factoryCalls);
        await Task.Delay(milliseconds, token);
        var now = DateTimeOffset.UtcNow;
        return new CachedCredential($"token-{call}", now.AddSeconds(600), now.AddSeconds(450));
    };

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "condition not met within 3 s");
    }
}
