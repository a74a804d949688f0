using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Faults;

/// <summary>
/// Redis killed while a request waits on it (the stop-for-a-while outage is <c>RedisOutageTests</c>):
/// the request is still served, by a token from the identity provider, within the cache timeout; no
/// request goes out without a token; once Redis is back, tokens reach it again; nothing printed holds
/// the secret or a token.
/// </summary>
[NonParallelizable]
public sealed class RedisFaultTests
{
    [Test]
    public async Task Redis_killed_mid_request_still_serves_the_request_and_tokens_are_shared_once_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        using var recorder = new TelemetryRecorder();
        var services = new ServiceCollection();
        services.AddSingleton(recorder.LoggerFactory());
        var after = Enumerable.Range(0, 40).Select(i => $"after-{i}").ToList();
        foreach (var name in after.Prepend("mid-request").Prepend("warm-up"))
        {
            server.AddCredential(services, name);
        }

        services.AddAtomicCredentialsRedisCache(redis.Configuration, cache =>
        {
            cache.Timeout = TimeSpan.FromSeconds(2);
            cache.RetryAfter = TimeSpan.FromSeconds(1);
        });
        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<IHttpClientFactory>();
        Assert.That((await clients.CreateClient("warm-up").GetAsync(server.Api("warm-up"))).IsSuccessStatusCode, Is.True, "connected");

        // Redis stuck on a command (DEBUG SLEEP), a request waiting on it, then Redis killed under it.
        using var blocker = new TcpClient();
        await blocker.ConnectAsync("127.0.0.1", redis.Port);
        await blocker.GetStream().WriteAsync(Encoding.ASCII.GetBytes("*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$2\r\n10\r\n"));
        await Task.Delay(200);
        var watch = Stopwatch.StartNew();
        var pending = clients.CreateClient("mid-request").GetAsync(server.Api("mid-request"));
        await Task.Delay(500);
        Assert.That(pending.IsCompleted, Is.False, "the request is waiting on Redis");
        await redis.StopAsync();
        using var response = await pending;
        var waited = watch.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(response.IsSuccessStatusCode, Is.True, "served with a valid token (the API answers 401 to none or a bad one)");
            Assert.That(server.LastTokenBy, Does.ContainKey("mid-request"));
            Assert.That(waited, Is.LessThan(TimeSpan.FromSeconds(4)), "no longer than the 2 s cache timeout and a token request");
            Assert.That(server.TokenRequests, Is.EqualTo(2), "one token for the warm-up, one from the provider directly for the stranded request");
        });

        // Back (empty: it was killed without persistence): a credential first used now has its token stored in Redis again.
        await redis.RestartAsync();
        var stored = false;
        for (var i = 0; !stored && i < after.Count; i++, await Task.Delay(500))
        {
            using var served = await clients.CreateClient(after[i]).GetAsync(server.Api(after[i]));
            Assert.That(served.IsSuccessStatusCode, Is.True, "no request fails while Redis comes back");
            stored = (await redis.CliAsync("--scan")).Contains(RedisServer.OAuthKeyPrefix, StringComparison.Ordinal);
        }

        Assert.That(stored, Is.True, "tokens reach Redis again once it is back");
        // Metric and activity tags fill the recorder whatever the loggers do: require log lines, or a
        // logger left unwired would make the search below pass on tags alone.
        Assert.That(recorder.Logs.GetSnapshot(), Is.Not.Empty, "nothing logged: the search below for the secret and the tokens would cover no log line");
        var printed = recorder.Everything();
        var secrets = server.IssuedTokens.Append(server.ClientSecret).ToList();
        Assert.That(printed.Where(line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal))), Is.Empty);
    }
}
