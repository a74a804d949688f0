using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.Diagnostics;

/// <summary>
/// <c>AddAtomicCredentialsCheck</c> (one entry, data per credential) and <c>AddAtomicCredentials</c> (an
/// entry a credential): each state reached (healthy, degraded during a Retry-After pause with a valid
/// token, unhealthy without material), no secret in the report.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
[TestFixture(false)]
[TestFixture(true)]
public sealed class CredentialsHealthCheckTests(bool entryPerCredential) : IDisposable
{
    private const string TokenValue = "tok-health-value";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private Func<HttpResponseMessage> tokenEndpoint = () => Token(TokenValue, expiresIn: 600);
    private int tokenCalls;
    private ServiceProvider? provider;

    public void Dispose() => provider?.Dispose();

    [Test]
    public async Task Healthy_before_any_request_without_asking_the_identity_provider_then_fresh_after_one()
    {
        var report = await CheckAsync();
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(Entry(report, "crm")["state"], Is.EqualTo("not requested yet"));
        Assert.That(Entry(report, "legacy")["state"], Is.EqualTo("ready"));
        Assert.That(Entry(report, "legacy")["kind"], Is.EqualTo("BasicAuth"));
        Assert.That(tokenCalls, Is.Zero, "a check reads state only");

        await Api().GetStringAsync(ApiUrl);
        report = await CheckAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(Entry(report, "crm")["state"], Is.EqualTo("fresh"));
            Assert.That(Entry(report, "crm")["kind"], Is.EqualTo("OAuthClientCredentials"));
            Assert.That(Entry(report, "crm")["expiresAt"], Is.GreaterThan(time.GetUtcNow()));
        });
    }

    [Test]
    public async Task Degraded_during_a_Retry_After_pause_while_the_token_is_still_valid()
    {
        var client = Api();
        await client.GetStringAsync(ApiUrl);
        tokenEndpoint = () => Paused(60);
        time.Advance(TimeSpan.FromSeconds(46)); // due for refresh: the background refresh meets the 429
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer " + TokenValue));
        await EventuallyAsync(() => tokenCalls == 2);

        HealthReport report = await CheckAsync();
        for (var attempt = 0; attempt < 100 && report.Status == HealthStatus.Healthy; attempt++)
        {
            await Task.Delay(10);
            report = await CheckAsync();
        }

        var crm = Entry(report, "crm");
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(crm["state"], Is.EqualTo("paused"));
            Assert.That(crm["nextAttemptAt"], Is.EqualTo(time.GetUtcNow().AddSeconds(60)));
            Assert.That(crm["lastStatus"], Is.EqualTo(429));
            Assert.That(tokenCalls, Is.EqualTo(2), "the check asked nothing");
        });
        AssertNoSecret(report);
    }

    [Test]
    public async Task Unhealthy_when_paused_without_a_token()
    {
        tokenEndpoint = () => Paused(30);
        Assert.ThrowsAsync<CredentialException>(() => Api().GetStringAsync(ApiUrl));

        var report = await CheckAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(Entry(report, "crm")["state"], Is.EqualTo("paused"));
            Assert.That(Entry(report, "crm")["nextAttemptAt"], Is.EqualTo(time.GetUtcNow().AddSeconds(30)));
            Assert.That(report.Entries[entryPerCredential ? "crm" : "atomic-credentials"].Description, Does.Contain(entryPerCredential ? "paused" : "crm"));
            Assert.That(report.Entries.Values.Count(entry => entry.Status == HealthStatus.Unhealthy), Is.EqualTo(1), "only the paused credential's entry, or the one entry");
        });
        AssertNoSecret(report);
    }

    [Test]
    public async Task Unhealthy_when_the_identity_provider_refuses_naming_its_error_never_the_secret()
    {
        tokenEndpoint = () => Json($$"""{"error":"invalid_client","error_description":"secret {{Secret}} is wrong"}""", HttpStatusCode.Unauthorized);
        Assert.ThrowsAsync<CredentialException>(() => Api().GetStringAsync(ApiUrl));

        var report = await CheckAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(Entry(report, "crm")["state"], Is.EqualTo("failing"));
            Assert.That(Entry(report, "crm")["lastError"], Is.EqualTo("401 invalid_client"));
        });
        AssertNoSecret(report);
    }

    [Test]
    public async Task Told_to_obtain_tokens_the_check_requests_one_and_reports_fresh()
    {
        var report = await CheckAsync(obtainTokens: true);
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(Entry(report, "crm")["state"], Is.EqualTo("fresh"));
            Assert.That(tokenCalls, Is.EqualTo(1));
        });
        AssertNoSecret(report);
    }

    private async Task<HealthReport> CheckAsync(bool obtainTokens = false)
    {
        provider ??= Build(obtainTokens);
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    }

    private HttpClient Api()
    {
        provider ??= Build(obtainTokens: false);
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient("crm-api");
    }

    private ServiceProvider Build(bool obtainTokens)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddAtomicCredential("crm", (OAuthClientCredentialsOptions o) =>
        {
            o.IdentityUrl = TokenUrl;
            o.ClientId = "client-1";
            o.ClientSecret = Secret;
        });
        services.AddAtomicCredential("legacy", (BasicAuthOptions o) => (o.Username, o.Password) = ("user", "legacy-password-xyz"));
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new StubHandler(_ =>
            {
                Interlocked.Increment(ref tokenCalls);
                return tokenEndpoint();
            }));
        services.AddHttpClient("crm-api").AddAtomicCredentialHandler("crm").ConfigurePrimaryHttpMessageHandler(() => EchoApi());
        if (entryPerCredential)
        {
            services.AddHealthChecks().AddAtomicCredentials(obtainTokens: obtainTokens);
        }
        else
        {
            services.AddHealthChecks().AddAtomicCredentialsCheck(obtainTokens: obtainTokens);
        }

        return services.BuildServiceProvider();
    }

    private static HttpResponseMessage Paused(int seconds)
    {
        var response = Json("""{"error":"slow_down"}""", HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    private IReadOnlyDictionary<string, object> Entry(HealthReport report, string credential)
    {
        if (!entryPerCredential)
        {
            return (IReadOnlyDictionary<string, object>)report.Entries["atomic-credentials"].Data[credential];
        }

        var entry = report.Entries[credential];
        Assert.That(entry.Data["status"], Is.EqualTo(entry.Status.ToString()), "an entry's status is its credential's");
        return entry.Data;
    }

    private void AssertNoSecret(HealthReport report)
    {
        Assert.That(report.Entries.Keys, entryPerCredential ? Is.EquivalentTo(new[] { "crm", "legacy" }) : Is.EquivalentTo(new[] { "atomic-credentials" }));
        var json = JsonSerializer.Serialize(report.Entries.ToDictionary(
            pair => pair.Key, pair => new { pair.Value.Status, pair.Value.Description, pair.Value.Data, Exception = pair.Value.Exception?.ToString() }));
        Assert.That(json, Does.Not.Contain("s3cr3t").And.Not.Contain(TokenValue).And.Not.Contain("legacy-password"));
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
