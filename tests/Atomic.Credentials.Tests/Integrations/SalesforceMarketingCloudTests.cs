using System.Net;
using Atomic.Credentials.DependencyInjection;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Tests.Integrations;

public sealed class SalesforceMarketingCloudTests
{
    private const string Instance = "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/";

    internal static readonly Dictionary<string, string?> Credential = new()
    {
        ["Type"] = "SalesforceMarketingCloud",
        ["Subdomain"] = "mc563885gzs27c5t9",
        ["ClientId"] = "7ho2w7f6sxd8lwl5fzgddoh2",
        ["ClientSecret"] = "iiXvIrHq3KFdvvMXGNRb8lK0",
        ["AccountId"] = "12345",
        ["Scope"] = "email_read email_write",
    };

    private static HttpResponseMessage Token(int n) => OAuthTestKit.Json($$"""
        {"access_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjQiLCJ2ZXIiOiIxIn0-{{n}}","token_type":"Bearer","expires_in":1080,
         "scope":"email_read email_write","soap_instance_url":"https://mc563885gzs27c5t9-63k636ttgm.soap.marketingcloudapis.com/",
         "rest_instance_url":"{{Instance}}"}
        """);

    [Test]
    public async Task The_token_request_is_the_documented_JSON_post()
    {
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await host.Client.GetAsync("platform/v1/endpoints");

        var token = host.TokenRequests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(token.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(token.Uri, Is.EqualTo(new Uri("https://mc563885gzs27c5t9.auth.marketingcloudapis.com/v2/token")));
            Assert.That(token.ContentType, Is.EqualTo("application/json"));
            Assert.That(token.Body, Is.EqualTo(
                """{"grant_type":"client_credentials","client_id":"7ho2w7f6sxd8lwl5fzgddoh2","client_secret":"iiXvIrHq3KFdvvMXGNRb8lK0","scope":"email_read email_write","account_id":"12345"}"""));
            Assert.That(token.Authorization, Is.Null);
        });
    }

    [Test]
    public async Task Requests_go_to_the_rest_instance_url_of_the_token_response()
    {
        var credential = new Dictionary<string, string?>(Credential) { ["AccountId"] = null, ["Scope"] = null };
        await using var host = new PresetHost(credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        using var relative = await host.Client.GetAsync("data/v1/customobjectdata/key/orders/rowset?$page=2");
        using var absolute = await host.Client.PostAsync("https://mc563885gzs27c5t9.rest.marketingcloudapis.com/messaging/v1/email/messages/", new StringContent("{}"));

        Assert.Multiple(() =>
        {
            Assert.That(host.ApiRequests.Select(r => r.Uri.AbsoluteUri), Is.EqualTo(new[]
            {
                Instance + "data/v1/customobjectdata/key/orders/rowset?$page=2",
                Instance + "messaging/v1/email/messages/",
            }));
            Assert.That(host.ApiRequests.Select(r => r.Authorization), Is.All.EqualTo("Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6IjQiLCJ2ZXIiOiIxIn0-1"));
            Assert.That(host.TokenRequests.Single().Body, Is.EqualTo(
                """{"grant_type":"client_credentials","client_id":"7ho2w7f6sxd8lwl5fzgddoh2","client_secret":"iiXvIrHq3KFdvvMXGNRb8lK0"}"""));
        });
    }

    [Test]
    public async Task A_handler_built_after_the_token_came_still_sends_to_the_instance_url()
    {
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));
        using var first = await host.Client.GetAsync("platform/v1/endpoints");

        // IHttpClientFactory replaces its handlers every two minutes; a new one finds the token in
        // the shared cache and never sees the token response that named the instance.
        var registry = host.Services.GetRequiredService<CredentialRegistry>();
        var later = registry.CreateHandler(host.Services, "preset");
        Uri? sentTo = null;
        later.InnerHandler = new StubHandler((request, _) =>
        {
            sentTo = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        });
        using var client = new HttpClient(later);
        using var response = await client.GetAsync(new Uri("https://mc563885gzs27c5t9.rest.marketingcloudapis.com/platform/v1/endpoints"));

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Has.Count.EqualTo(1), "the second handler used the cached token");
            Assert.That(sentTo, Is.EqualTo(new Uri(Instance + "platform/v1/endpoints")));
        });
    }

    [Test]
    public async Task A_token_is_reused_for_its_lifetime_and_replaced_before_it_ends()
    {
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        // expires_in 1080 s: never served past 1050 s (30 s margin), replaced in the background from 840 s.
        foreach (var at in new[] { 0, 300, 600, 839 })
        {
            host.Time.SetUtcNow(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).AddSeconds(at));
            using var response = await host.Client.GetAsync("platform/v1/endpoints");
        }

        Assert.That(host.TokenRequests, Has.Count.EqualTo(1));

        host.Time.Advance(TimeSpan.FromSeconds(212)); // 1051 s: the first token is no longer served.
        using (await host.Client.GetAsync("platform/v1/endpoints"))
        {
        }

        Assert.Multiple(() =>
        {
            Assert.That(host.TokenRequests, Has.Count.EqualTo(2));
            Assert.That(host.ApiRequests[^1].Authorization, Does.EndWith("-2"));
        });
    }

    [Test]
    public async Task Soap_requests_go_to_the_soap_instance_url()
    {
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await host.Client.PostAsync("https://mc563885gzs27c5t9.soap.marketingcloudapis.com/Service.asmx", new StringContent("<Envelope/>"));

        Assert.That(host.ApiRequests.Single().Uri.AbsoluteUri, Is.EqualTo("https://mc563885gzs27c5t9-63k636ttgm.soap.marketingcloudapis.com/Service.asmx"));
    }

    [TestCase("http://evil.example.net/")]
    [TestCase("not a url")]
    [TestCase("https://user:pass@mc1.rest.marketingcloudapis.com/")]
    public async Task An_instance_url_that_is_not_a_safe_base_is_ignored(string instance)
    {
        await using var host = new PresetHost(
            Credential,
            (_, _) => OAuthTestKit.Json($$"""{"access_token":"t","expires_in":1080,"rest_instance_url":"{{instance}}"}"""),
            (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await host.Client.GetAsync("platform/v1/endpoints");

        Assert.That(host.ApiRequests.Single().Uri.AbsoluteUri, Is.EqualTo("https://mc563885gzs27c5t9.rest.marketingcloudapis.com/platform/v1/endpoints"));
    }

    [Test]
    public async Task The_instance_host_passes_the_host_guard_before_anything_is_sent()
    {
        var credential = new Dictionary<string, string?>(Credential) { ["AllowedHosts:0"] = "mc563885gzs27c5t9.rest.marketingcloudapis.com" };
        await using var host = new PresetHost(credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));

        var error = Assert.ThrowsAsync<CredentialException>(() => host.Client.GetAsync("platform/v1/endpoints"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com"));
            Assert.That(error.Kind, Is.EqualTo("SalesforceMarketingCloud"));
            Assert.That(host.ApiRequests, Is.Empty);
        });
    }

    [TestCase("https://mc1.auth.marketingcloudapis.com/", "Subdomain")]
    [TestCase("", "Subdomain")]
    public void A_bad_subdomain_names_the_field(string subdomain, string field)
    {
        var credential = new Dictionary<string, string?>(Credential) { ["Subdomain"] = subdomain };
        var host = new PresetHost(credential, (_, n) => Token(n), (_, _) => new HttpResponseMessage(HttpStatusCode.OK));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => _ = host.Client);
        Assert.That(error!.Message, Does.Contain("'preset' (SalesforceMarketingCloud): " + field).And.Not.Contain("iiXvIrHq3KFdvvMXGNRb8lK0"));
    }
}
