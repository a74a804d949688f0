using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Atomic.Credentials.Caching;
using Atomic.Credentials.OAuth;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// A token endpoint that answers 429 or 5xx is not asked again before the instant it named
/// (Retry-After, seconds or an HTTP date) or a capped exponential backoff with jitter: callers in
/// the pause fail at once naming the instant, a still valid token keeps being served, and after the
/// pause exactly one token request is sent.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OAuthRetryAfterTests
{
    // A whole second: an HTTP date has no finer resolution.
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Start);
    private int tokenCalls;

    [Test]
    public async Task A_429_with_Retry_After_seconds_pauses_every_caller_then_exactly_one_request_follows()
    {
        using var client = Client(Options(), Endpoint(() => Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5)))), time: time, name: "crm");
        var pausedUntil = Start.AddSeconds(5);

        var first = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(first.NextAttemptAt, Is.EqualTo(pausedUntil));
            Assert.That(first.Message, Does.Contain(pausedUntil.ToString("O", CultureInfo.InvariantCulture)));
        });

        await AssertPausedAsync(client, pausedUntil, callers: 100);
        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        await AssertPausedAsync(client, pausedUntil, callers: 10);
        Assert.That(tokenCalls, Is.EqualTo(1), "nobody asked during the pause");

        ready = true;
        time.Advance(TimeSpan.FromTicks(1));
        var served = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetStringAsync(ApiUrl)));
        Assert.Multiple(() =>
        {
            Assert.That(served, Is.All.EqualTo("Bearer tok-2"));
            Assert.That(tokenCalls, Is.EqualTo(2), "after the pause, exactly one token request");
        });
    }

    [Test]
    public async Task A_429_with_Retry_After_as_an_HTTP_date_pauses_until_that_date()
    {
        var date = Start.AddSeconds(90);
        using var client = Client(Options(), Endpoint(() => Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(date))), time: time);

        var first = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.That(first.NextAttemptAt, Is.EqualTo(date));

        time.Advance(TimeSpan.FromSeconds(89));
        await AssertPausedAsync(client, date, callers: 10);
        ready = true;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-2"));
    }

    [Test]
    public async Task A_503_with_Retry_After_pauses_as_a_429_does()
    {
        using var client = Client(Options(), Endpoint(() => Refused(HttpStatusCode.ServiceUnavailable, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)))), time: time);

        var first = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        await AssertPausedAsync(client, Start.AddSeconds(30), callers: 10);
        Assert.That(tokenCalls, Is.EqualTo(1));
    }

    [Test]
    public void A_500_without_Retry_After_backs_off_exponentially_with_jitter_up_to_the_cap()
    {
        var min = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(8);
        using var client = Client(Options(o => (o.TokenRetryBackoffMin, o.TokenRetryBackoffMax) = (min, max)), Endpoint(() => Refused(HttpStatusCode.InternalServerError)), time: time);

        double[] ceilings = [1, 2, 4, 8, 8, 8, 8];
        for (var failure = 0; failure < ceilings.Length; failure++)
        {
            var now = time.GetUtcNow();
            var refused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
            var pause = refused.NextAttemptAt!.Value - now;
            Assert.That(pause.TotalSeconds, Is.InRange(ceilings[failure] / 2, ceilings[failure]), $"failure {failure + 1}");
            Assert.That(tokenCalls, Is.EqualTo(failure + 1));
            time.Advance(pause);
        }
    }

    [Test]
    public void A_Retry_After_date_already_past_falls_back_to_the_backoff()
    {
        using var client = Client(
            Options(o => (o.TokenRetryBackoffMin, o.TokenRetryBackoffMax) = (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60))),
            Endpoint(() => Refused(HttpStatusCode.ServiceUnavailable, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(Start.AddMinutes(-1)))),
            time: time);

        var refused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.That((refused.NextAttemptAt!.Value - Start).TotalSeconds, Is.InRange(2, 4));
    }

    [Test]
    public void Messages_of_a_pause_name_no_secret()
    {
        using var client = Client(Options(), Endpoint(() => Json($$"""{"error":"slow_down","error_description":"{{Secret}}"}""", HttpStatusCode.TooManyRequests)), time: time);

        var refused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        var paused = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.That(refused + paused.ToString() + refused.ErrorDescription, Does.Not.Contain(Secret));
    }

    [TestCase(1, 0.0, 2.0)]
    [TestCase(1, 0.999_999, 1.0)]
    [TestCase(2, 0.0, 4.0)]
    [TestCase(3, 0.5, 6.0)]
    [TestCase(10, 0.0, 60.0)]
    [TestCase(1_000, 0.0, 60.0)]
    [TestCase(int.MaxValue, 0.999_999, 30.0)]
    public void The_backoff_is_between_half_and_all_of_its_capped_ceiling(int failure, double jitter, double seconds) =>
        Assert.That(TokenEndpointGate.Backoff(failure, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), jitter).TotalSeconds, Is.EqualTo(seconds).Within(0.001));

    [Test]
    public async Task A_still_valid_token_is_served_throughout_a_pause_and_replaced_by_one_request_after_it()
    {
        var down = false;
        using var client = Client(Options(), Endpoint(() => down
            ? Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120)))
            : Token($"tok-{tokenCalls}", expiresIn: 600)), time: time);

        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        down = true;
        time.Advance(TimeSpan.FromSeconds(46)); // due for refresh: the background refresh meets the 429
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        await EventuallyAsync(() => tokenCalls == 2);

        down = false;
        for (var second = 0; second < 119; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"), $"{second} s into the pause");
            await Task.Delay(1);
        }

        Assert.That(tokenCalls, Is.EqualTo(2), "no token request during the pause");
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetStringAsync(ApiUrl)));
        await EventuallyAsync(() => tokenCalls == 3);
        await EventuallyAsync(() => client.GetStringAsync(ApiUrl).Result == "Bearer tok-3");
        await Task.Delay(50);
        Assert.That(tokenCalls, Is.EqualTo(3), "after the pause, exactly one token request");
    }

    [Test]
    public async Task A_thousand_callers_are_served_the_cached_token_through_a_Retry_After_then_exactly_one_request_follows()
    {
        var down = false;
        using var client = Client(Options(), Endpoint(() => down
            ? Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5)))
            : Token($"tok-{tokenCalls}", expiresIn: 600)), time: time);
        async Task<string[]> ThousandAsync() => await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => client.GetStringAsync(ApiUrl)));

        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        down = true;
        time.Advance(TimeSpan.FromSeconds(46)); // due: the background refresh meets the 429
        var refusedAt = time.GetUtcNow();
        Assert.That(await ThousandAsync(), Is.All.EqualTo("Bearer tok-1"));
        await EventuallyAsync(() => tokenCalls == 2);

        down = false;
        for (var step = 1; step < 50; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.That(await ThousandAsync(), Is.All.EqualTo("Bearer tok-1"), $"{time.GetUtcNow() - refusedAt} into the pause");
            Assert.That(tokenCalls, Is.EqualTo(2), $"no token request {time.GetUtcNow() - refusedAt} into the pause");
        }

        time.Advance(refusedAt.AddSeconds(5) - time.GetUtcNow());
        await ThousandAsync();
        await EventuallyAsync(() => tokenCalls == 3);
        Assert.That(await ThousandAsync(), Is.All.EqualTo("Bearer tok-3"));
        Assert.That(tokenCalls, Is.EqualTo(3), "after the pause, exactly one token request");
    }

    [Test]
    public void The_backoff_doubles_from_its_minimum_up_to_its_cap_and_jitter_stays_within_its_upper_half()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var round = 0; round < 1_000; round++)
        {
            var min = TimeSpan.FromMilliseconds(random.Next(1, 10_000));
            var max = min + TimeSpan.FromMilliseconds(random.Next(0, 600_000));
            var jitter = random.NextDouble();
            var context = $"seed {seed}, round {round}: min {min}, max {max}, jitter {jitter}";
            var previous = TimeSpan.Zero;
            for (var failure = 1; failure <= 40; failure++)
            {
                var ceiling = TimeSpan.FromTicks((long)Math.Min(max.Ticks, min.Ticks * Math.Pow(2, failure - 1)));
                var pause = TokenEndpointGate.Backoff(failure, min, max, jitter);
                Assert.That(pause, Is.InRange(ceiling / 2 - TimeSpan.FromTicks(1), ceiling), $"{context}, failure {failure}");
                Assert.That(pause, Is.GreaterThanOrEqualTo(previous), $"{context}: never shorter than the previous failure's");
                previous = pause;
            }

            Assert.That(previous, Is.InRange(max / 2 - TimeSpan.FromTicks(1), max), $"{context}: capped");
        }
    }

    [Test]
    public void A_400_does_not_pause()
    {
        using var client = Client(Options(), Endpoint(() => Json("""{"error":"invalid_scope"}""", HttpStatusCode.BadRequest)), time: time);

        var first = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        var second = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.Multiple(() =>
        {
            Assert.That(first.NextAttemptAt, Is.Null);
            Assert.That(second.NextAttemptAt, Is.Null);
            Assert.That(tokenCalls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Two_handlers_sharing_a_cache_share_the_pause()
    {
        using var cache = new MemoryCredentialCache(time);
        var endpoint = Endpoint(() => Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(10))));
        using var one = Client(Options(), endpoint, cache: cache, time: time, name: "crm");
        using var two = Client(Options(), endpoint, cache: cache, time: time, name: "crm");

        Assert.ThrowsAsync<CredentialException>(() => one.GetAsync(ApiUrl));
        await AssertPausedAsync(two, Start.AddSeconds(10), callers: 10);
        Assert.That(tokenCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task Two_instances_sharing_a_distributed_cache_share_the_pause()
    {
        var store = new Caching.TestStore();
        var protector = new DataProtectionCredentialProtector(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        using var cacheOne = new DistributedCredentialCache(store, protector, timeProvider: time);
        using var cacheTwo = new DistributedCredentialCache(store, protector, timeProvider: time);
        var endpoint = Endpoint(() => Refused(HttpStatusCode.TooManyRequests, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(10))));
        using var one = Client(Options(), endpoint, cache: cacheOne, time: time, name: "crm");
        using var two = Client(Options(), endpoint, cache: cacheTwo, time: time, name: "crm");

        Assert.ThrowsAsync<CredentialException>(() => one.GetAsync(ApiUrl));
        await EventuallyAsync(() => store.Sets >= 1); // the pause is written in the background
        await AssertPausedAsync(two, Start.AddSeconds(10), callers: 50);
        Assert.That(tokenCalls, Is.EqualTo(1), "the second instance did not call the endpoint during the pause");

        ready = true;
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await two.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-2"));
    }

    private bool ready;

    private StubHandler Endpoint(Func<HttpResponseMessage> failure) => new(_ =>
    {
        var call = Interlocked.Increment(ref tokenCalls);
        return ready ? Token($"tok-{call}") : failure();
    });

    private static HttpResponseMessage Refused(HttpStatusCode status, Action<HttpResponseMessage>? configure = null)
    {
        var response = Json("""{"error":"slow_down"}""", status);
        configure?.Invoke(response);
        return response;
    }

    // Every caller fails at once (no clock moves, nothing waits), naming the instant; nothing is sent.
    private async Task AssertPausedAsync(HttpClient client, DateTimeOffset until, int callers)
    {
        var before = tokenCalls;
        var attempts = Enumerable.Range(0, callers).Select(async _ =>
        {
            try
            {
                await client.GetAsync(ApiUrl);
                return null;
            }
            catch (CredentialException exception)
            {
                return exception;
            }
        }).ToArray();
        var outcomes = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(outcomes, Has.All.Not.Null, "every caller fails");
            Assert.That(outcomes.Select(e => e!.NextAttemptAt), Is.All.EqualTo(until));
            Assert.That(outcomes.Select(e => e!.Message), Is.All.Contain(until.ToString("O", CultureInfo.InvariantCulture)));
            Assert.That(tokenCalls, Is.EqualTo(before), "no token request during the pause");
        });
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 500 && !condition(); attempt++)
        {
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True);
    }
}
