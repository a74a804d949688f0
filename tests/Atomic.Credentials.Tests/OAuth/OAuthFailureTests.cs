using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// Every way a token request fails: a <see cref="CredentialException"/> with the status and OAuth
/// error, the API request not sent, nothing cached, no secret in any message or log; and once the
/// identity provider recovers, requests succeed.
/// </summary>
public sealed class OAuthFailureTests
{
    private static readonly string Oversized = $$"""{"access_token":"tok","padding":"{{new string('x', 70_000)}}"}""";

    public static IEnumerable<TestCaseData> Failures()
    {
        yield return Case("4xx with an OAuth error that echoes the secret", () => Json(
            $$"""{"error":"invalid_client","error_description":"client secret '{{Secret}}' is wrong"}""", HttpStatusCode.Unauthorized),
            HttpStatusCode.Unauthorized, "invalid_client", "refused");
        yield return Case("4xx with an error in a text/plain body", () => Json(
            """{"error":"invalid_scope"}""", HttpStatusCode.BadRequest, "text/plain"), HttpStatusCode.BadRequest, "invalid_scope", "refused");
        yield return Case("5xx with an HTML page", () => Json("<html>Bad gateway</html>", HttpStatusCode.BadGateway, "text/html"),
            HttpStatusCode.BadGateway, null, "refused");
        yield return Case("malformed JSON", () => Json("""{"access_token":"tok", """), HttpStatusCode.OK, null, "not valid JSON");
        yield return Case("oversized JSON", () => Json(Oversized), HttpStatusCode.OK, null, "larger than");
        yield return Case("missing access_token", () => Json("""{"token_type":"Bearer","expires_in":3600}"""), HttpStatusCode.OK, null, "no access_token");
        yield return Case("unknown token type", () => Token("tok", type: "mac"), HttpStatusCode.OK, null, "'mac' is not supported");
        yield return Case("200 with an OAuth error", () => Json("""{"error":"temporarily_unavailable"}"""), HttpStatusCode.OK, "temporarily_unavailable", "answered with an error");
        yield return Case("a token that would split the header", () => Json("""{"access_token":"tok\r\nX-Injected: 1"}"""), HttpStatusCode.OK, null, "cannot carry");
        yield return Case("a redirect", () => new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("https://evil.example.net/token") } },
            HttpStatusCode.TemporaryRedirect, null, "redirect");

        static TestCaseData Case(string name, Func<HttpResponseMessage> failure, HttpStatusCode status, string? error, string message) =>
            new TestCaseData(failure, status, error, message).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Failures))]
    public async Task A_failed_token_request_throws_sends_nothing_caches_nothing_and_recovers(
        Func<HttpResponseMessage> failure, HttpStatusCode status, string? error, string message)
    {
        // A 5xx pauses token requests (TokenEndpointGate): the clock is moved past each pause.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var failing = true;
        var tokenCalls = 0;
        var apiCalls = 0;
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var api = new StubHandler(request =>
        {
            Interlocked.Increment(ref apiCalls);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(request.Headers.Authorization!.ToString()) };
        });
        using var client = Client(Options(), new StubHandler(_ =>
        {
            Interlocked.Increment(ref tokenCalls);
            return failing ? failure() : Token("good-token");
        }), api, time: time, loggers: loggers, name: "crm");

        var first = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        time.Advance(TimeSpan.FromMinutes(5));
        var second = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;

        Assert.Multiple(() =>
        {
            Assert.That(first.CredentialName, Is.EqualTo("crm"));
            Assert.That(first.Kind, Is.EqualTo("OAuthClientCredentials"));
            Assert.That(first.StatusCode, Is.EqualTo(status));
            Assert.That(first.Error, Is.EqualTo(error));
            Assert.That(first.Message, Does.Contain(message));
            Assert.That(apiCalls, Is.Zero, "the API request is not sent unauthenticated");
            Assert.That(tokenCalls, Is.EqualTo(2), "the failure was not cached");
            Assert.That(first.ToString() + first.ErrorDescription, Does.Not.Contain(Secret).And.Not.Contain("s3cr3t"));
            Assert.That(string.Join("\n", logs.GetSnapshot().Select(r => r.Message + r.Exception)), Does.Not.Contain("s3cr3t"));
        });

        failing = false;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer good-token"));
        Assert.That(apiCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_token_request_that_hangs_fails_after_its_own_timeout_then_recovers()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var hanging = true;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenEndpoint = new StubHandler(async (_, cancellationToken) =>
        {
            if (hanging)
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Token("after-timeout");
        });
        using var client = Client(Options(o => o.TokenRequestTimeout = TimeSpan.FromSeconds(10)), tokenEndpoint, time: time);

        var pending = client.GetAsync(ApiUrl);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(pending.IsCompleted, Is.False, "still within the timeout");
        time.Advance(TimeSpan.FromSeconds(1));

        var exception = Assert.ThrowsAsync<CredentialException>(() => pending)!;
        Assert.That(exception.Message, Does.Contain("timed out after 10 s"));

        hanging = false;
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer after-timeout"));
    }

    [Test]
    public async Task While_a_valid_token_is_cached_a_failing_provider_does_not_stop_requests()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var tokenCalls = 0;
        var down = false;
        // The 503s pause token requests for at most 5 s each, the spacing of failed refreshes.
        using var client = Client(Options(o => o.TokenRetryBackoffMax = TimeSpan.FromSeconds(5)), new StubHandler(_ =>
        {
            var call = Interlocked.Increment(ref tokenCalls);
            return down ? Json("{}", HttpStatusCode.ServiceUnavailable) : Token($"tok-{call}", expiresIn: 600);
        }), time: time);

        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"));
        down = true;
        for (var second = 1; second <= 120; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer tok-1"), $"at {second} s the cached token is still served");
            await WaitForBackgroundWorkAsync();
        }

        Assert.That(tokenCalls, Is.GreaterThan(2).And.LessThanOrEqualTo(2 + (120 - 45) / 5), "failed refreshes are retried, spaced out");

        down = false;
        time.Advance(TimeSpan.FromSeconds(5));
        var served = await client.GetStringAsync(ApiUrl); // starts the refresh that now succeeds
        for (var attempt = 0; served == "Bearer tok-1" && attempt < 500; attempt++)
        {
            await Task.Delay(10);
            served = await client.GetStringAsync(ApiUrl);
        }

        Assert.That(served, Is.EqualTo($"Bearer tok-{tokenCalls}"), "the recovered provider's token replaces the old one");
    }

    private static async Task WaitForBackgroundWorkAsync()
    {
        // Background refreshes run on the thread pool; with a fake clock, a short real wait lets them finish.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(2);
        }
    }
}
