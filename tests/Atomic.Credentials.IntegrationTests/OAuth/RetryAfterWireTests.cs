using System.Globalization;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.OAuth;

/// <summary>
/// Retry-After as a real server writes it (seconds, an HTTP date) on a loopback socket, and the
/// pause shared by two instances through a real Redis: the second one does not ask during it.
/// </summary>
[NonParallelizable]
public sealed class RetryAfterWireTests
{
    private int tokenRequests;
    private string retryAfter = "5";
    private bool ready;

    [SetUp]
    public void Reset() => (tokenRequests, retryAfter, ready) = (0, "5", false);

    [Test]
    public async Task Retry_After_in_seconds_on_the_wire_pauses_token_requests_until_that_instant()
    {
        await using var server = await StartAsync();
        using var client = Client(server);

        var before = DateTimeOffset.UtcNow;
        var refused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(server.Address, "/api")))!;
        var after = DateTimeOffset.UtcNow;
        var paused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(server.Address, "/api")))!;

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.TooManyRequests));
            Assert.That(refused.NextAttemptAt, Is.InRange(before.AddSeconds(5), after.AddSeconds(5)));
            Assert.That(paused.NextAttemptAt, Is.EqualTo(refused.NextAttemptAt));
            Assert.That(tokenRequests, Is.EqualTo(1), "the second caller did not ask");
        });
    }

    [Test]
    public async Task Retry_After_as_an_HTTP_date_on_the_wire_pauses_until_that_date()
    {
        var date = DateTimeOffset.UtcNow.AddMinutes(2);
        date = new DateTimeOffset(date.Year, date.Month, date.Day, date.Hour, date.Minute, date.Second, TimeSpan.Zero);
        retryAfter = date.ToString("r", CultureInfo.InvariantCulture);
        await using var server = await StartAsync();
        using var client = Client(server);

        var refused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(server.Address, "/api")))!;
        Assert.That(refused.NextAttemptAt, Is.EqualTo(date));
    }

    [Test]
    public async Task Two_instances_sharing_Redis_share_the_pause_and_one_request_follows_it()
    {
        await using var redis = await RedisServer.StartAsync();
        retryAfter = "3";
        await using var server = await StartAsync();
        await using var one = Instance(redis, server);
        await using var two = Instance(redis, server);
        var api = new Uri(server.Address, "/api");

        var refused = Assert.ThrowsAsync<CredentialException>(() => Api(one).GetAsync(api))!;
        CredentialException? paused = null;
        for (var attempt = 0; attempt < 100 && paused?.NextAttemptAt is null; attempt++)
        {
            // The pause reaches Redis in the background, within a few milliseconds.
            await Task.Delay(10);
            paused = Assert.ThrowsAsync<CredentialException>(() => Api(two).GetAsync(api));
        }

        Assert.Multiple(() =>
        {
            Assert.That(paused!.NextAttemptAt, Is.EqualTo(refused.NextAttemptAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(tokenRequests, Is.EqualTo(1), "the second instance did not ask during the pause");
        });

        ready = true;
        await Task.Delay(refused.NextAttemptAt!.Value - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(50));
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Api(two).GetAsync(api)));
        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => (int)r.StatusCode), Is.All.EqualTo(200));
            Assert.That(tokenRequests, Is.EqualTo(2), "after the pause, one token request");
        });
    }

    private async Task<LoopbackServer> StartAsync() => await LoopbackServer.StartAsync(app =>
    {
        app.MapPost("/token", (HttpContext context) =>
        {
            var call = Interlocked.Increment(ref tokenRequests);
            if (ready)
            {
                return Results.Json(new { access_token = $"tok-{call}", token_type = "Bearer", expires_in = 600 });
            }

            context.Response.Headers.RetryAfter = retryAfter;
            return Results.Json(new { error = "slow_down" }, statusCode: StatusCodes.Status429TooManyRequests);
        });
        app.MapGet("/api", (HttpContext context) =>
            context.Request.Headers.Authorization.ToString().StartsWith("Bearer tok-", StringComparison.Ordinal) ? Results.Ok() : Results.Unauthorized());
    });

    private static OAuthClientCredentialsOptions Options(LoopbackServer server) => new()
    {
        IdentityUrl = new Uri(server.Address, "/token").ToString(),
        ClientId = "client-1",
        ClientSecret = "wire-secret-xyz",
    };

    private static HttpClient Client(LoopbackServer server) =>
        new(new OAuthClientCredentialsHandler(Options(server), "crm") { InnerHandler = new SocketsHttpHandler() });

    private static ServiceProvider Instance(RedisServer redis, LoopbackServer server)
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("crm", (OAuthClientCredentialsOptions o) =>
        {
            var given = Options(server);
            (o.IdentityUrl, o.ClientId, o.ClientSecret) = (given.IdentityUrl, given.ClientId, given.ClientSecret);
        });
        services.AddAtomicCredentialsRedisCache(redis.Configuration);
        services.AddHttpClient("crm").AddAtomicCredentialHandler("crm");
        return services.BuildServiceProvider();
    }

    private static HttpClient Api(ServiceProvider instance) => instance.GetRequiredService<IHttpClientFactory>().CreateClient("crm");
}
