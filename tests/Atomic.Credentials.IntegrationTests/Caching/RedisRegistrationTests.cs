using System.Diagnostics;
using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Caching;

public sealed class RedisRegistrationTests
{
    [Test]
    public async Task The_credentials_get_a_redis_of_their_own_and_the_apps_distributed_cache_is_left_alone()
    {
        var services = new ServiceCollection().AddDistributedMemoryCache();
        services.AddAtomicCredentialsRedisCache($"127.0.0.1:{LoopbackServer.ClosedPort()}");
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ICredentialCache>(), Is.TypeOf<DistributedCredentialCache>());
            Assert.That(provider.GetRequiredService<IDistributedCache>(), Is.TypeOf<MemoryDistributedCache>());
        });
    }

    [Test]
    public async Task One_credential_can_share_through_redis_while_the_others_stay_in_memory()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredentialsRedisCache("crm", redis => redis.Configuration = $"127.0.0.1:{LoopbackServer.ClosedPort()}");
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(CredentialCaches.For(provider, "crm"), Is.TypeOf<DistributedCredentialCache>());
            Assert.That(CredentialCaches.For(provider, "other"), Is.TypeOf<MemoryCredentialCache>());
        });
    }

    [Test]
    public void A_redis_without_a_connection_string_is_refused_at_registration()
    {
        Assert.That(() => new ServiceCollection().AddAtomicCredentialsRedisCache(redis => redis.InstanceName = "x"),
            Throws.ArgumentException.With.Message.Contains("configuration string"));
    }

    [Test]
    public async Task With_redis_down_from_the_start_requests_succeed_without_waiting_on_it()
    {
        await using var server = await LoopbackOAuthServer.StartAsync(TimeSpan.FromMinutes(5));
        var services = new ServiceCollection();
        services.AddAtomicCredential("api", (OAuthClientCredentialsOptions o) =>
        {
            o.IdentityUrl = server.TokenUrl.ToString();
            o.ClientId = LoopbackOAuthServer.ClientId;
            o.ClientSecret = server.ClientSecret;
        });
        services.AddHttpClient("api").AddAtomicCredentialHandler("api");
        services.AddAtomicCredentialsRedisCache($"127.0.0.1:{LoopbackServer.ClosedPort()}");
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        var watch = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => (int)(await client.GetAsync(server.Api("down"))).StatusCode));

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(200));
            Assert.That(server.TokenRequests, Is.EqualTo(1), "the first level still makes one token request for the process");
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        });
    }
}
