using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Atomic.Credentials.Integrations;
using Atomic.Credentials.Tests.OAuth;
using ForwardOnlyStream = Atomic.Credentials.Tests.Aws.AwsTestSupport.ForwardOnlyStream;

namespace Atomic.Credentials.Tests.Integrations;

public sealed class MarketoTests
{
    private const string Secret = "mkto-S3cret/+=value";

    internal static readonly Dictionary<string, string?> Credential = new()
    {
        ["Type"] = "Marketo",
        ["IdentityUrl"] = "https://064-CCJ-768.mktorest.com/identity",
        ["ClientId"] = "1a2b3c4d-aaaa-bbbb-cccc-0123456789ab",
        ["ClientSecret"] = Secret,
    };

    private static HttpResponseMessage Token(int n) =>
        OAuthTestKit.Json($$"""{"access_token":"cdf01657-110d-4155-99a7-f986b2ff13a0:int{{n}}","token_type":"bearer","expires_in":3599,"scope":"apis@acmeinc.com"}""");

    private static HttpResponseMessage MarketoError(string code) => OAuthTestKit.Json(
        $$"""{"requestId":"e42b#14272d07d78","success":false,"errors":[{"code":"{{code}}","message":"Access token invalid"}]}""");

    [Test]
    public async Task The_token_comes_by_GET_and_goes_in_the_Authorization_header()
    {
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => OAuthTestKit.Json("""{"success":true,"result":[]}"""));

        using var response = await host.Client.GetAsync("v1/leads.json?filterType=email&filterValues=a@example.com");

        var token = host.TokenRequests.Single();
        var api = host.ApiRequests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(token.Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(token.Uri.AbsoluteUri, Is.EqualTo(
                "https://064-ccj-768.mktorest.com/identity/oauth/token?grant_type=client_credentials&client_id=1a2b3c4d-aaaa-bbbb-cccc-0123456789ab&client_secret=mkto-S3cret%2F%2B%3Dvalue"));
            Assert.That(token.Body, Is.Null);
            Assert.That(api.Uri.AbsoluteUri, Is.EqualTo("https://064-ccj-768.mktorest.com/rest/v1/leads.json?filterType=email&filterValues=a@example.com"));
            Assert.That(api.Authorization, Is.EqualTo("Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int1"));
        });
    }

    [TestCase("601")]
    [TestCase("602")]
    public async Task A_token_error_in_a_200_body_brings_one_new_token_and_one_retry(string code)
    {
        const string Ok = """{"requestId":"1","success":true,"result":[{"id":318581}]}""";
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, n) => n == 1 ? MarketoError(code) : OAuthTestKit.Json(Ok));

        using var response = await host.Client.GetAsync("v1/leads.json");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(Ok));
            Assert.That(host.TokenRequests, Has.Count.EqualTo(2));
            Assert.That(host.ApiRequests.Select(r => r.Authorization), Is.EqualTo(new[]
            {
                "Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int1",
                "Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int2",
            }));
        });
    }

    [Test]
    public async Task A_token_error_after_the_retry_reaches_the_caller_without_a_second_retry()
    {
        var error = """{"requestId":"e42b#14272d07d78","success":false,"errors":[{"code":"602","message":"Access token expired"}]}""";
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => OAuthTestKit.Json(error));

        using var response = await host.Client.GetAsync("v1/leads.json");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(error));
            Assert.That(host.ApiRequests, Has.Count.EqualTo(2));
            Assert.That(host.TokenRequests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Other_errors_and_ordinary_bodies_are_not_retried_and_reach_the_caller_intact()
    {
        var other = """{"requestId":"1","success":false,"errors":[{"code":"1003","message":"601 is not this code"}]}""";
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) => OAuthTestKit.Json(other));

        using var response = await host.Client.GetAsync("v1/leads.json");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(other));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(host.ApiRequests, Has.Count.EqualTo(1));
            Assert.That(host.TokenRequests, Has.Count.EqualTo(1));
        });
    }

    // Streamed like a network answer (not seekable), with and without Content-Length, below and above the inspected size.
    [TestCase(200, false)]
    [TestCase(MarketoProfile.MaxInspectedBytes, false)]
    [TestCase(MarketoProfile.MaxInspectedBytes + 1, false)]
    [TestCase(300_000, false)]
    [TestCase(200, true)]
    [TestCase(300_000, true)]
    public async Task A_streamed_body_reaches_the_caller_byte_for_byte(int size, bool withLength)
    {
        var body = LargeJson(size);
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) =>
        {
            var content = new StreamContent(new ForwardOnlyStream(body));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json;charset=UTF-8");
            if (withLength)
            {
                content.Headers.ContentLength = body.Length;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });

        using var response = await host.Client.GetAsync("v1/activities.json", HttpCompletionOption.ResponseHeadersRead);

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
            Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("UTF-8"));
            Assert.That(host.ApiRequests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Without_dependency_injection_the_handler_does_the_same()
    {
        var tokens = 0;
        var calls = 0;
        var handler = IntegrationHandlers.Marketo(
            new MarketoOptions { IdentityUrl = "https://064-CCJ-768.mktorest.com/identity", ClientId = "id", ClientSecret = Secret },
            tokenHandler: new StubHandler(_ => Token(Interlocked.Increment(ref tokens))));
        handler.InnerHandler = new StubHandler(_ => Interlocked.Increment(ref calls) == 1 ? MarketoError("601") : OAuthTestKit.Json("""{"success":true}"""));
        using var client = new HttpClient(handler) { BaseAddress = new Uri("https://064-CCJ-768.mktorest.com/rest/") };

        using var response = await client.GetAsync("v1/leads.json");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"success":true}"""));
            Assert.That((tokens, calls), Is.EqualTo((2, 2)));
            Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => IntegrationHandlers.Marketo(new MarketoOptions { IdentityUrl = "https://x/identity" }));
        });
    }

    [TestCase("text/csv", null)]
    [TestCase("application/json", MarketoProfile.MaxInspectedBytes + 1)]
    public async Task Bodies_that_cannot_be_a_token_error_are_not_read_at_all(string mediaType, int? announcedLength)
    {
        var body = LargeJson(MarketoProfile.MaxInspectedBytes + 1);
        var stream = new ForwardOnlyStream(body);
        await using var host = new PresetHost(Credential, (_, n) => Token(n), (_, _) =>
        {
            var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            content.Headers.ContentLength = announcedLength;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        });

        using var response = await host.Client.GetAsync("v1/leads/export/x/file.json", HttpCompletionOption.ResponseHeadersRead);

        Assert.Multiple(async () =>
        {
            Assert.That(stream.Position, Is.Zero, "nothing was read before the caller");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
        });
    }

    [Test]
    public void Marketo_errors_are_found_only_in_the_top_level_errors_array()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MarketoProfile.HasTokenError("""{"success":false,"errors":[{"code":"1003"},{"code":601}]}"""u8), Is.True);
            Assert.That(MarketoProfile.HasTokenError("""{"result":[{"errors":[{"code":"601"}]}],"success":true}"""u8), Is.False);
            Assert.That(MarketoProfile.HasTokenError("""{"success":false,"errors":[{"message":"601"}]}"""u8), Is.False);
            Assert.That(MarketoProfile.HasTokenError("""not json 601"""u8), Is.False);
        });
    }

    private static byte[] LargeJson(int size)
    {
        var text = new StringBuilder("""{"success":true,"result":[""");
        while (text.Length < size - 2)
        {
            text.Append('"').Append(text.Length % 10).Append("\",");
        }

        text.Length = size - 2;
        text.Append("]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
