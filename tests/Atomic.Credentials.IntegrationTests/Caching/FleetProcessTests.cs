using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Caching;

/// <summary>
/// A fleet of real processes (tests/Atomic.Credentials.FleetClient) sharing OAuth tokens through a
/// real Redis, against a loopback token endpoint and API.
/// </summary>
[NonParallelizable]
public sealed class FleetProcessTests
{
    private const int Instances = 4;
    private const int RequestsEach = 500;

    [Test]
    public async Task Four_processes_sending_500_concurrent_requests_each_make_at_most_four_token_requests_and_new_ones_make_none()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        var keys = FleetClientProcess.SharedKeyRing();
        try
        {
            var firstWave = await RunFleetAsync(redis, server, keys);
            var afterFirstWave = server.TokenRequests;
            var secondWave = await RunFleetAsync(redis, server, keys);
            TestContext.Progress.WriteLine($"token requests: {afterFirstWave} for the first {Instances} processes, {server.TokenRequests} after {Instances} more");

            Assert.Multiple(() =>
            {
                Assert.That(firstWave.Concat(secondWave), Is.All.EqualTo($"ok={RequestsEach} failed=0"), "every request of every process succeeds");
                Assert.That(afterFirstWave, Is.InRange(1, Instances), "at most one token request per process in a cache window");
                Assert.That(server.TokenRequests, Is.EqualTo(afterFirstWave), "four new processes are served the shared token: no token request");
            });

            await AssertRedisHoldsNoSecretAndNoClearTokenAsync(redis, server);
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }

    private static async Task AssertRedisHoldsNoSecretAndNoClearTokenAsync(RedisServer redis, LoopbackOAuthServer server)
    {
        var keys = (await redis.CliAsync("--scan")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(keys, Has.Length.EqualTo(1), "one entry for the one credential");
        var key = keys[0];
        var stored = await redis.CliAsync("HGETALL", key);
        var ttl = int.Parse(await redis.CliAsync("TTL", key), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(key, Does.StartWith("atomic:OAuthClientCredentials:fleet:"));
            Assert.That(key + stored, Does.Not.Contain(server.ClientSecret), "no client secret in Redis");
            Assert.That(key + stored, Does.Not.Contain(LoopbackOAuthServer.ClientId), "not even the client id: the key is a hash");
            Assert.That(stored, Does.Contain("data"), "the entry was read back");
            Assert.That(stored.Length, Is.GreaterThan(100), "the protected entry is there");
            foreach (var token in server.IssuedTokens)
            {
                Assert.That(stored, Does.Not.Contain(token), "a token in clear in Redis");
                Assert.That(stored, Does.Not.Contain(token[..12]), "part of a token in clear in Redis");
            }

            Assert.That(ttl, Is.InRange(1, (int)server.TokenLifetime.TotalSeconds), "the entry expires with the token");
        });
    }

    // Starts the instances, lets them all go at once, and returns each one's "ok=N failed=M".
    private static async Task<string[]> RunFleetAsync(RedisServer redis, LoopbackOAuthServer server, DirectoryInfo keys)
    {
        var fleet = Enumerable.Range(0, Instances).Select(_ => FleetClientProcess.Start(redis.Configuration, server, keys, RequestsEach)).ToArray();
        try
        {
            return await FleetClientProcess.RunAsync(fleet);
        }
        finally
        {
            foreach (var instance in fleet)
            {
                instance.Dispose();
            }
        }
    }
}
