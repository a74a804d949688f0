using System.Net;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>Token lifetime under a fake clock: replaced every 45 s in the background, never served past expires_in.</summary>
public sealed class OAuthCachingTests
{
    private FakeTimeProvider time = null!;
    private GatedTokenEndpoint endpoint = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        endpoint = new GatedTokenEndpoint();
    }

    [TestCase(3600, 45, TestName = "expires_in 1 h: one token request per 45 s (CacheDuration)")]
    [TestCase(20, 15, TestName = "expires_in 20 s: replaced after 80 % of its usable 18 s")]
    public async Task Under_steady_load_tokens_are_replaced_in_the_background_and_no_request_waits(int expiresIn, int replacedEvery)
    {
        endpoint.ExpiresIn = expiresIn;
        using var client = Client(Options(), endpoint.Handler, time: time);
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"), "warm-up");
        endpoint.HoldFromNowOn();

        const int seconds = 450;
        var current = 1;
        for (var second = 1; second <= seconds; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));

            // The identity provider answers only when released: a request that waited for it would hang here.
            var served = await client.GetStringAsync(ApiUrl).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(served, Is.EqualTo($"Bearer tok-{current}"), $"at {second} s");

            if (second % replacedEvery == 0)
            {
                await endpoint.WaitForRequestAsync();
                Assert.That(await client.GetStringAsync(ApiUrl).WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo($"Bearer tok-{current}"),
                    "served while the replacement is on its way");
                endpoint.ReleaseOne();
                current++;
                await UntilServedAsync(client, $"Bearer tok-{current}");
            }
        }

        Assert.That(endpoint.Requests, Is.EqualTo(1 + seconds / replacedEvery));
    }

    [Test]
    public async Task A_token_is_never_served_past_expires_in_less_the_margin_even_when_its_replacement_is_late()
    {
        endpoint.ExpiresIn = 20; // usable 18 s, replaced from 14.4 s
        using var client = Client(Options(), endpoint.Handler, time: time);
        await client.GetStringAsync(ApiUrl);
        endpoint.HoldFromNowOn();

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        await endpoint.WaitForRequestAsync();
        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"), "at 17.9 s still served");

        time.Advance(TimeSpan.FromSeconds(0.1));
        var waiting = client.GetStringAsync(ApiUrl);
        await Task.Delay(100);
        Assert.That(waiting.IsCompleted, Is.False, "at 18 s the old token is no longer served: the request waits for the new one");

        endpoint.ReleaseOne();
        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("Bearer tok-2"));
        Assert.That(endpoint.Requests, Is.EqualTo(2), "the waiting request joined the refresh already in flight");
    }

    [Test]
    public async Task Without_expires_in_a_token_is_served_for_CacheDuration_only()
    {
        endpoint.ExpiresIn = null;
        using var client = Client(Options(o => o.CacheDuration = TimeSpan.FromSeconds(10)), endpoint.Handler, time: time);
        await client.GetStringAsync(ApiUrl);

        time.Advance(TimeSpan.FromSeconds(9.9));
        await client.GetStringAsync(ApiUrl);
        await UntilServedAsync(client, "Bearer tok-2"); // replaced in the background from 8 s
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-3"));
    }

    [Test]
    public async Task A_401_evicts_the_token_and_retries_once_with_a_new_one()
    {
        var api = new StubHandler(request => new HttpResponseMessage(
            request.Headers.Authorization!.Parameter == "tok-1" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK));
        using var client = Client(Options(), endpoint.Handler, api, time: time);

        using var request = new HttpRequestMessage(HttpMethod.Post, ApiUrl) { Content = new StringContent("replayable") };
        using var response = await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(request.Headers.Authorization!.Parameter, Is.EqualTo("tok-2"));
            Assert.That(endpoint.Requests, Is.EqualTo(2));
        });
    }

    [TestCase(false, 2, TestName = "An API that always answers 401 gets one retry with a new token, never a loop")]
    [TestCase(true, 1, TestName = "A 401 on a body that cannot be sent again is returned as is")]
    public async Task A_401_is_retried_at_most_once(bool streamedBody, int expectedCalls)
    {
        var apiCalls = 0;
        var api = new StubHandler(_ =>
        {
            Interlocked.Increment(ref apiCalls);
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        });
        using var client = Client(Options(), endpoint.Handler, api, time: time);
        HttpContent body = streamedBody ? new StreamContent(new MemoryStream([1, 2, 3])) : new ByteArrayContent([1, 2, 3]);

        using var response = await client.PostAsync(ApiUrl, body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(apiCalls, Is.EqualTo(expectedCalls));
            Assert.That(endpoint.Requests, Is.EqualTo(expectedCalls), "each try had its own token");
        });
    }

    [Test]
    public async Task With_RetryOnUnauthorized_off_a_401_is_returned_and_the_token_kept()
    {
        var apiCalls = 0;
        var api = new StubHandler(_ => new HttpResponseMessage(
            Interlocked.Increment(ref apiCalls) == 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK));
        using var client = Client(Options(o => o.RetryOnUnauthorized = false), endpoint.Handler, api, time: time);

        using var rejected = await client.GetAsync(ApiUrl);
        using var next = await client.GetAsync(ApiUrl);

        Assert.Multiple(() =>
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(apiCalls, Is.EqualTo(2));
            Assert.That(endpoint.Requests, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_hundred_concurrent_401s_for_the_same_token_bring_one_new_token()
    {
        string? rejected = null;
        var api = new StubHandler(request => new HttpResponseMessage(
            request.Headers.Authorization!.Parameter == Volatile.Read(ref rejected) ? HttpStatusCode.Unauthorized : HttpStatusCode.OK));
        using var client = Client(Options(), endpoint.Handler, api, time: time);
        await client.GetAsync(ApiUrl);

        Volatile.Write(ref rejected, "tok-1"); // e.g. revoked at the identity provider
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync(ApiUrl)));

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(endpoint.Requests, Is.EqualTo(2), "one eviction, one new token: no stampede");
        });
    }

    private static async Task UntilServedAsync(HttpClient client, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await client.GetStringAsync(ApiUrl) != expected)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{expected} was never served");
            await Task.Delay(5);
        }
    }

    /// <summary>A token endpoint that, once told, answers each request only when the test releases it.</summary>
    private sealed class GatedTokenEndpoint
    {
        private readonly SemaphoreSlim started = new(0);
        private readonly SemaphoreSlim released = new(0);
        private int requests;
        private volatile bool holding;

        public GatedTokenEndpoint() => Handler = new StubHandler(async (_, cancellationToken) =>
        {
            var number = Interlocked.Increment(ref requests);
            if (holding)
            {
                started.Release();
                await released.WaitAsync(cancellationToken);
            }

            return ExpiresIn is { } seconds
                ? Token($"tok-{number}", seconds)
                : Json($$"""{"access_token":"tok-{{number}}","token_type":"Bearer"}""");
        });

        public StubHandler Handler { get; }

        public int? ExpiresIn { get; set; } = 3600;

        public int Requests => Volatile.Read(ref requests);

        public void HoldFromNowOn() => holding = true;

        public async Task WaitForRequestAsync() =>
            Assert.That(await started.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "a token request was expected");

        public void ReleaseOne() => released.Release();
    }
}
