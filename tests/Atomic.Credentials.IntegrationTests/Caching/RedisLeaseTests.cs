using System.Globalization;
using Atomic.Credentials.Caching;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Redis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Atomic.Credentials.IntegrationTests.Caching;

/// <summary>
/// The fleet's lease on a real Redis: claimed by one holder at a time, lapsing after its duration,
/// released only by the value that holds it (a holder whose lease lapsed and was claimed again
/// cannot end the new one's), and carried by the same connection as the credential cache.
/// </summary>
[NonParallelizable]
public sealed class RedisLeaseTests
{
    private const string Key = "atomic:OAuthClientCredentials:crm:0123abcd:lease";

    [Test]
    public async Task One_holder_at_a_time_and_only_the_holder_releases()
    {
        await using var redis = await RedisServer.StartAsync();
        var lease = Lease(redis, instanceName: "app1:");
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);

        for (var round = 0; round < 20; round++)
        {
            var (holder, other) = (FleetElection.NewHolder(), FleetElection.NewHolder());
            var duration = TimeSpan.FromSeconds(random.Next(5, 60));
            Assert.That(await lease.TryAcquireAsync(Key, holder, duration, CancellationToken.None), Is.True, $"round {round}");
            Assert.That(await lease.TryAcquireAsync(Key, other, duration, CancellationToken.None), Is.False, "held");
            var ttl = int.Parse(await redis.CliAsync("PTTL", "app1:" + Key), CultureInfo.InvariantCulture);

            await lease.ReleaseAsync(Key, other, CancellationToken.None);
            Assert.That((await redis.CliAsync("GET", "app1:" + Key)).Trim(), Is.EqualTo(holder), "another value cannot release it");
            await lease.ReleaseAsync(Key, holder, CancellationToken.None);

            Assert.Multiple(async () =>
            {
                Assert.That(ttl, Is.InRange(1, (int)duration.TotalMilliseconds), "the lease lapses after its duration");
                Assert.That((await redis.CliAsync("EXISTS", "app1:" + Key)).Trim(), Is.EqualTo("0"), "released by its holder");
            });
        }
    }

    [Test]
    public async Task A_holder_whose_lease_lapsed_cannot_release_the_next_holders()
    {
        await using var redis = await RedisServer.StartAsync();
        var lease = Lease(redis, instanceName: null);

        Assert.That(await lease.TryAcquireAsync(Key, "slow-holder", TimeSpan.FromMilliseconds(200), CancellationToken.None), Is.True);
        await Task.Delay(400);
        Assert.That(await lease.TryAcquireAsync(Key, "next-holder", TimeSpan.FromSeconds(30), CancellationToken.None), Is.True, "lapsed: claimable");
        await lease.ReleaseAsync(Key, "slow-holder", CancellationToken.None);

        Assert.That((await redis.CliAsync("GET", Key)).Trim(), Is.EqualTo("next-holder"));
    }

    [Test]
    public async Task Only_the_holder_extends_its_lease_and_a_lapsed_one_is_not_revived()
    {
        await using var redis = await RedisServer.StartAsync();
        var lease = Lease(redis, instanceName: null);

        Assert.That(await lease.TryAcquireAsync(Key, "holder", TimeSpan.FromSeconds(2), CancellationToken.None), Is.True);
        Assert.That(await lease.TryExtendAsync(Key, "someone-else", TimeSpan.FromSeconds(60), CancellationToken.None), Is.False);
        var ttlAfterOther = int.Parse(await redis.CliAsync("PTTL", Key), CultureInfo.InvariantCulture);
        Assert.That(await lease.TryExtendAsync(Key, "holder", TimeSpan.FromSeconds(60), CancellationToken.None), Is.True);
        var ttlAfterHolder = int.Parse(await redis.CliAsync("PTTL", Key), CultureInfo.InvariantCulture);
        await lease.ReleaseAsync(Key, "holder", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(ttlAfterOther, Is.InRange(1, 2000), "another value does not extend it");
            Assert.That(ttlAfterHolder, Is.InRange(50_000, 60_000), "the holder's extension counts from now");
            Assert.That(await lease.TryExtendAsync(Key, "holder", TimeSpan.FromSeconds(60), CancellationToken.None), Is.False, "released: nothing to extend");
            Assert.That((await redis.CliAsync("EXISTS", Key)).Trim(), Is.EqualTo("0"), "an extension never creates a lease");
        });
    }

    [Test]
    public async Task The_lease_rides_the_credential_caches_own_connection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        var services = new ServiceCollection();
        server.AddCredential(services, "crm");
        services.AddAtomicCredentialsRedisCache(redis.Configuration);
        await using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("crm").GetAsync(server.Api("crm"));
        var clients = (await redis.CliAsync("CLIENT", "LIST")).Split('\n').Count(line => line.Contains("SE.Redis", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(server.TokenRequests, Is.EqualTo(1));
            Assert.That(clients, Is.InRange(1, 2), "one multiplexer (its interactive and subscription connections), not one for the cache and one for the lease");
        });
    }

    private static RedisCredentialLease Lease(RedisServer redis, string? instanceName) =>
        new(new SharedRedisConnection(async () => await ConnectionMultiplexer.ConnectAsync(redis.Configuration)), instanceName);
}
