using System.Net;
using System.Text;
using Atomic.Credentials.Tests.KeyPair;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// Drives the OAuth credential through success, Basic client authentication, private_key_jwt,
/// a 401 retry, a provider that echoes the secret, a refused host and bad options, with logging at
/// Trace and the user's header redaction turned off, then scans every line, tag and message.
/// </summary>
public sealed class OAuthSecretLeakTests
{
    private const string ClientSecret = "oauth-S3CRET-9f8e7d";
    private static readonly string BasicValue = Convert.ToBase64String(Encoding.UTF8.GetBytes("client-1:" + ClientSecret));
    private readonly List<string> issuedTokens = [];
    private readonly List<string> assertions = [];

    [Test]
    public async Task Nothing_the_oauth_credential_prints_contains_a_secret_a_token_or_a_key()
    {
        using var recorder = new TelemetryRecorder();
        var services = new ServiceCollection();
        services.AddSingleton(recorder.LoggerFactory());
        services.ConfigureHttpClientDefaults(client => client.RedactLoggedHeaders(_ => false));
        services.AddAtomicCredential("body", (OAuthClientCredentialsOptions o) => Configure(o, OAuthClientAuthentication.RequestBody));
        services.AddAtomicCredential("basic", (OAuthClientCredentialsOptions o) => Configure(o, OAuthClientAuthentication.BasicHeader));
        services.AddAtomicCredential("jwt", (OAuthClientCredentialsOptions o) => Configure(o, OAuthClientAuthentication.PrivateKeyJwt));
        services.AddAtomicCredential("echo", (OAuthClientCredentialsOptions o) =>
        {
            Configure(o, OAuthClientAuthentication.RequestBody);
            o.IdentityUrl = "https://echo.example.com/token";
        });
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(TokenEndpoint);
        var rejectOnce = 0;
        foreach (var name in new[] { "body", "basic", "jwt", "echo" })
        {
            services.AddHttpClient(name).AddAtomicCredentialHandler(name).ConfigurePrimaryHttpMessageHandler(() => new StubHandler(_ =>
                new HttpResponseMessage(Interlocked.Increment(ref rejectOnce) == 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK)));
        }

        await using (var provider = services.BuildServiceProvider())
        {
            var clients = provider.GetRequiredService<IHttpClientFactory>();
            foreach (var name in new[] { "body", "basic", "jwt" })
            {
                using var response = await clients.CreateClient(name).PostAsync(ApiUrl, new StringContent("{}"));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            recorder.AddException(Assert.ThrowsAsync<CredentialException>(() => clients.CreateClient("echo").GetAsync(ApiUrl))!);
            recorder.AddException(Assert.ThrowsAsync<CredentialException>(() => clients.CreateClient("body").GetAsync("https://evil.example.net/"))!);
        }

        recorder.AddException(Assert.Throws<OptionsValidationException>(() => _ = new OAuthClientCredentialsHandler(
            Options(o => (o.ClientSecret, o.IdentityUrl) = (ClientSecret + "\n", "http://login.example.com/t"))))!);

        var everything = recorder.Everything();
        var privateKey = TestKeys.Body(TestKeys.Pkcs8("ES256"));
        Assert.Multiple(() =>
        {
            Assert.That(issuedTokens, Has.Count.GreaterThanOrEqualTo(4), "tokens were issued, and a 401 brought a second");
            Assert.That(assertions, Is.Not.Empty, "a client assertion was sent");
            Assert.That(everything, Has.Some.Contains("requesting a token"), "the scan must see the library's own lines");
            Assert.That(everything, Has.Some.Contains("/oauth2/token"), "the scan must see IHttpClientFactory's lines for token requests");
            Assert.That(recorder.MeasurementCount, Is.GreaterThan(0), "the scan must see metrics");
            Assert.That(everything, Has.Some.EqualTo("Atomic.Credentials.TokenRequest"), "each token request is an activity");
            Assert.That(everything, Has.Some.EqualTo("atomic.credentials.material.requests atomic.credential.name=jwt"), "token requests are counted");
            foreach (var secret in new[] { ClientSecret, BasicValue, privateKey[..40] }.Concat(issuedTokens).Concat(assertions))
            {
                Assert.That(everything.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..6]}…");
            }
        });
    }

    private static void Configure(OAuthClientCredentialsOptions options, OAuthClientAuthentication authentication)
    {
        options.IdentityUrl = TokenUrl;
        options.ClientId = "client-1";
        options.ClientAuthentication = authentication;
        if (authentication == OAuthClientAuthentication.PrivateKeyJwt)
        {
            options.PrivateKey = TestKeys.Pkcs8("ES256");
            options.Algorithm = "ES256";
        }
        else
        {
            options.ClientSecret = ClientSecret;
        }

        options.AllowedHosts = ["api.example.com"];
    }

    private StubHandler TokenEndpoint() => new(async (request, cancellationToken) =>
    {
        var form = await request.Content!.ReadAsStringAsync(cancellationToken);
        if (request.RequestUri!.Host == "echo.example.com")
        {
            return Json($$"""{"error":"invalid_client","error_description":"secret {{ClientSecret}} is not valid"}""", HttpStatusCode.BadRequest);
        }

        lock (issuedTokens)
        {
            var assertion = form.Split('&').FirstOrDefault(part => part.StartsWith("client_assertion=", StringComparison.Ordinal));
            if (assertion is not null)
            {
                assertions.Add(assertion["client_assertion=".Length..]);
            }

            var token = "issued-" + Guid.NewGuid().ToString("N");
            issuedTokens.Add(token);
            return Token(token);
        }
    });
}
