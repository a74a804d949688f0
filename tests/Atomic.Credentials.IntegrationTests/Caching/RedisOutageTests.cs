using System.Diagnostics;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Atomic.Credentials.IntegrationTests.Caching;

/// <summary>
/// Instances of an app (each its own service provider, so its own first level) sharing OAuth tokens
/// through a real Redis that is stopped, restarted and made slow under them.
/// </summary>
[NonParallelizable]
public sealed class RedisOutageTests
{
    [Test]
    public async Task Redis_stopped_mid_run_fails_no_request_and_once_restarted_tokens_are_shared_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromSeconds(4));
        using var errors = new MetricCollector<long>((object?)null, "Atomic.Credentials", "atomic.credentials.cache.distributed.errors");
        await using var a = await AppInstance.StartAsync(redis, server, "a");
        await using var b = await AppInstance.StartAsync(redis, server, "b");

        // Shared: the second instance is served the first one's token.
        Assert.That(await a.SendAsync(20), Is.Zero);
        await Eventually(async () => (await redis.CliAsync("--scan")).Contains(RedisServer.OAuthKeyPrefix, StringComparison.Ordinal), "the token reaches Redis");
        Assert.That(await b.SendAsync(20), Is.Zero);
        Assert.That(server.TokenRequests, Is.EqualTo(1));
        Assert.That(server.LastTokenBy["b"], Is.EqualTo(server.LastTokenBy["a"]));

        // Redis down for longer than a token lives: every request still succeeds.
        await redis.StopAsync();
        var failures = 0;
        var slowest = TimeSpan.Zero;
        for (var outage = Stopwatch.StartNew(); outage.Elapsed < TimeSpan.FromSeconds(6);)
        {
            var watch = Stopwatch.StartNew();
            var failed = await Task.WhenAll(a.SendAsync(10), b.SendAsync(10));
            failures += failed.Sum();
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            await Task.Delay(50);
        }

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Zero, "a request failed while Redis was down");
            Assert.That(server.TokenRequests, Is.GreaterThan(1), "tokens were renewed from the identity provider directly");
            Assert.That(slowest, Is.LessThan(TimeSpan.FromSeconds(2)), "no request waited on the dead Redis");
            Assert.That(a.Logs.GetSnapshot().Any(l => l.Id.Id == 600 && l.Level == LogLevel.Warning), Is.True, "a warning is logged");
            Assert.That(errors.GetMeasurementSnapshot(), Is.Not.Empty, "a metric is counted");
        });

        // Restarted: once the instances reach Redis again, they share tokens again.
        await redis.RestartAsync();
        TestContext.Progress.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} restarted");
        await Eventually(
            async () =>
            {
                Assert.That(await Task.WhenAll(a.SendAsync(5), b.SendAsync(5)), Is.All.Zero, "a request failed after the restart");
                return a.Logs.GetSnapshot().Any(l => l.Id.Id == 602) && b.Logs.GetSnapshot().Any(l => l.Id.Id == 602)
                    && server.LastTokenBy["a"] == server.LastTokenBy["b"];
            },
            "both instances reach Redis again (recovery logged) and use one token",
            TimeSpan.FromSeconds(30),
            () => string.Join("\n", a.Logs.GetSnapshot().Where(l => l.Id.Id >= 400).Select(l => $"{l.Timestamp:HH:mm:ss.fff} {l.Id.Id} {l.Message} {l.Exception?.Message}")));

        // A new instance, with an empty first level, is served a token issued before it existed: from Redis.
        var issuedBefore = server.IssuedTokens;
        await using var newcomer = await AppInstance.StartAsync(redis, server, "c");
        Assert.That(await newcomer.SendAsync(20), Is.Zero);
        Assert.That(issuedBefore, Does.Contain(server.LastTokenBy["c"]), "the new instance asked for a token of its own");
        TestContext.Progress.WriteLine($"token requests in all: {server.TokenRequests}");

        // Without a protector (unlike the fleet test), Redis holds the token in clear, but never the secret.
        var keys = (await redis.CliAsync("--scan")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stored = string.Concat(await Task.WhenAll(keys.Select(k => redis.CliAsync("HGET", k, "data"))));
        Assert.Multiple(() =>
        {
            Assert.That(keys, Has.All.StartsWith(RedisServer.OAuthKeyPrefix + "api:").Or.StartsWith(RedisServer.OAuthKeyPrefix + "warm-up:"));
            Assert.That(stored, Does.Contain("Bearer at-"), "the entry was read back");
            Assert.That(string.Concat(keys) + stored, Does.Not.Contain(server.ClientSecret));
            Assert.That(string.Concat(keys) + stored, Does.Not.Contain(LoopbackOAuthServer.ClientId));
        });

        // Through the outage, at Trace: no secret and no token in any log line.
        var logged = string.Join("\n", new[] { a, b, newcomer }.SelectMany(i => i.Logs.GetSnapshot()).Select(l => l.Message + " " + l.Exception));
        Assert.That(logged, Does.Contain("Distributed credential cache"), "the cache's lines were captured");
        Assert.That(logged, Does.Not.Contain(server.ClientSecret));
        foreach (var token in server.IssuedTokens)
        {
            Assert.That(logged, Does.Not.Contain(token));
        }
    }

    [Test]
    public async Task A_slow_redis_holds_a_request_no_longer_than_the_configured_timeout()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        await using var app = await AppInstance.StartAsync(redis, server, "slow", TimeSpan.FromMilliseconds(300));
        Assert.That(await app.SendAsync(1, credential: "warm-up"), Is.Zero, "connected and working");

        // Redis blocks every client for 3 s, as a Redis stuck on a slow command would.
        var sleeping = redis.CliAsync("DEBUG", "SLEEP", "3");
        await Task.Delay(200);
        var watch = Stopwatch.StartNew();
        var failed = await app.SendAsync(1);
        var waited = watch.Elapsed;
        await sleeping;

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Zero);
            Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "the request did try Redis");
            Assert.That(waited, Is.LessThan(TimeSpan.FromMilliseconds(1300)), "300 ms for Redis, then the token request");
            Assert.That(app.Logs.GetSnapshot().Any(l => l.Id.Id == 600 && l.Message.Contains("timeout", StringComparison.Ordinal)), Is.True);
        });
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? within = null, Func<string>? diagnostics = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.That(deadline.Elapsed, Is.LessThan(within ?? TimeSpan.FromSeconds(5)), () => "not met in time: " + what + "\n" + diagnostics?.Invoke());
            await Task.Delay(100);
        }
    }

    /// <summary>One instance of the app: its own service provider, first level and Redis connection.</summary>
    private sealed class AppInstance : IAsyncDisposable
    {
        private readonly ServiceProvider provider;
        private readonly LoopbackOAuthServer server;
        private readonly string caller;

        private AppInstance(ServiceProvider provider, LoopbackOAuthServer server, string caller, FakeLogCollector logs)
        {
            this.provider = provider;
            this.server = server;
            this.caller = caller;
            Logs = logs;
        }

        public FakeLogCollector Logs { get; }

        public static Task<AppInstance> StartAsync(RedisServer redis, LoopbackOAuthServer server, string caller, TimeSpan? timeout = null)
        {
            var logs = new FakeLoggerProvider();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            foreach (var name in new[] { "api", "warm-up" })
            {
                server.AddCredential(services, name);
            }

            services.AddAtomicCredentialsRedisCache(redis.Configuration, cache =>
            {
                cache.Timeout = timeout ?? TimeSpan.FromMilliseconds(500);
                cache.RetryAfter = TimeSpan.FromSeconds(1);
            });
            return Task.FromResult(new AppInstance(services.BuildServiceProvider(), server, caller, logs.Collector));
        }

        /// <summary>Sends <paramref name="count"/> concurrent requests; returns how many failed.</summary>
        public async Task<int> SendAsync(int count, string credential = "api")
        {
            var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(credential);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                try
                {
                    using var response = await client.GetAsync(server.Api(credential == "api" ? caller : caller + "-" + credential));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }));
            return outcomes.Count(ok => !ok);
        }

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }
}
