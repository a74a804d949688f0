using System.Net;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.IntegrationTests.OAuth;

/// <summary>
/// Tokens from a real OpenID provider (npm oidc-provider) on 127.0.0.1, for every client
/// authentication the credential sends, used on a loopback API that verifies them against the
/// provider's JWKS (signature, issuer, audience, lifetime).
/// </summary>
public sealed class OidcProviderTests
{
    private PeerProcess peer = null!;
    private JsonElement ready;
    private LoopbackServer api = null!;
    private Uri apiAddress = null!;

    private string TokenEndpoint => ready.GetProperty("tokenEndpoint").GetString()!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        peer = await PeerProcess.StartNodeAsync("oidc-provider.mjs");
        ready = JsonDocument.Parse(peer.ReadyLine).RootElement.Clone();
        using var http = new HttpClient();
        var jwks = new JsonWebKeySet(await http.GetStringAsync(ready.GetProperty("jwksUri").GetString()));
        var validation = new TokenValidationParameters
        {
            ValidIssuer = ready.GetProperty("issuer").GetString(),
            ValidAudience = ready.GetProperty("audience").GetString(),
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
        };

        var verifier = new JsonWebTokenHandler();
        api = await LoopbackServer.StartAsync(app => ((IApplicationBuilder)app).Run(async context =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var result = header.StartsWith("Bearer ", StringComparison.Ordinal)
                ? await verifier.ValidateTokenAsync(header["Bearer ".Length..], validation)
                : null;
            if (result is not { IsValid: true })
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync(result?.Exception?.Message ?? "no bearer token");
                return;
            }

            var token = (JsonWebToken)result.SecurityToken;
            await context.Response.WriteAsJsonAsync(new
            {
                client_id = token.GetClaim("client_id").Value,
                scope = token.TryGetClaim("scope", out var scope) ? scope.Value : null,
                jti = token.Id,
            });
        }));
        apiAddress = api.Address;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (api is not null)
        {
            await api.DisposeAsync();
        }

        if (peer is not null)
        {
            await peer.DisposeAsync();
        }
    }

    [TestCase("post", OAuthClientAuthentication.RequestBody)]
    [TestCase("basic", OAuthClientAuthentication.BasicHeader)]
    [TestCase("rs256", OAuthClientAuthentication.PrivateKeyJwt)]
    [TestCase("es256", OAuthClientAuthentication.PrivateKeyJwt)]
    public async Task Tokens_from_the_provider_are_accepted_by_an_api_that_verifies_them(string client, OAuthClientAuthentication authentication)
    {
        var options = OptionsFor(client, authentication, scope: "api.read");
        using var http = new HttpClient(new OAuthClientCredentialsHandler(options, client) { InnerHandler = new SocketsHttpHandler() });

        var first = await CallApiAsync(http);
        var second = await CallApiAsync(http);

        Assert.Multiple(() =>
        {
            Assert.That(first.GetProperty("client_id").GetString(), Is.EqualTo(options.ClientId));
            Assert.That(first.GetProperty("scope").GetString(), Is.EqualTo("api.read"));
            Assert.That(second.GetProperty("jti").GetString(), Is.EqualTo(first.GetProperty("jti").GetString()), "the second request reused the cached token");
        });
    }

    [Test]
    public async Task Each_scope_gets_its_own_token_from_the_provider()
    {
        var results = new List<string?>();
        foreach (var scope in new[] { "api.s1", "api.s2", "api.s1 api.write" })
        {
            using var http = new HttpClient(new OAuthClientCredentialsHandler(OptionsFor("basic", OAuthClientAuthentication.BasicHeader, scope)) { InnerHandler = new SocketsHttpHandler() });
            results.Add((await CallApiAsync(http)).GetProperty("scope").GetString());
        }

        Assert.That(results, Is.EqualTo(new[] { "api.s1", "api.s2", "api.s1 api.write" }));
    }

    [Test]
    public void A_wrong_secret_is_refused_by_the_provider_with_its_oauth_error_and_the_api_never_called()
    {
        var options = OptionsFor("post", OAuthClientAuthentication.RequestBody, "api.read");
        options.ClientSecret = "wrong-" + options.ClientSecret;
        var apiCalls = 0;
        using var http = new HttpClient(new OAuthClientCredentialsHandler(options, "wrong")
        {
            InnerHandler = new CountingHandler(() => apiCalls++) { InnerHandler = new SocketsHttpHandler() },
        });

        var exception = Assert.ThrowsAsync<CredentialException>(() => http.GetAsync(apiAddress))!;

        Assert.Multiple(() =>
        {
            Assert.That(exception.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(exception.Error, Is.EqualTo("invalid_client"));
            Assert.That(exception.ToString(), Does.Not.Contain(options.ClientSecret));
            Assert.That(apiCalls, Is.Zero);
        });
    }

    [Test]
    public async Task From_configuration_through_IHttpClientFactory_with_a_pem_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:partner:Type"] = "OAuthClientCredentials",
            ["AtomicCredentials:partner:IdentityUrl"] = TokenEndpoint,
            ["AtomicCredentials:partner:ClientId"] = ready.GetProperty("clients").GetProperty("es256").GetProperty("client_id").GetString(),
            ["AtomicCredentials:partner:ClientAuthentication"] = "PrivateKeyJwt",
            ["AtomicCredentials:partner:PrivateKey"] = ready.GetProperty("keys").GetProperty("ES256").GetString(),
            ["AtomicCredentials:partner:Algorithm"] = "ES256",
            ["AtomicCredentials:partner:KeyId"] = ready.GetProperty("keyIds").GetProperty("ES256").GetString(),
            ["AtomicCredentials:partner:Scope"] = "api.write",
            ["AtomicCredentials:partner:AdditionalParameters:resource"] = ready.GetProperty("audience").GetString(),
            ["AtomicCredentials:partner:AllowedHosts:0"] = "127.0.0.1",
        }).Build();
        var services = new ServiceCollection();
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient("partner-api", c => c.BaseAddress = apiAddress).AddAtomicCredentialHandler("partner");
        await using var provider = services.BuildServiceProvider();

        var body = await CallApiAsync(provider.GetRequiredService<IHttpClientFactory>().CreateClient("partner-api"));

        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("api.write"));
    }

    private OAuthClientCredentialsOptions OptionsFor(string client, OAuthClientAuthentication authentication, string scope)
    {
        var entry = ready.GetProperty("clients").GetProperty(client);
        var options = new OAuthClientCredentialsOptions
        {
            IdentityUrl = TokenEndpoint,
            ClientId = entry.GetProperty("client_id").GetString()!,
            ClientAuthentication = authentication,
            Scope = scope,
        };
        if (authentication == OAuthClientAuthentication.PrivateKeyJwt)
        {
            var algorithm = client.ToUpperInvariant();
            options.PrivateKey = ready.GetProperty("keys").GetProperty(algorithm).GetString();
            options.Algorithm = algorithm;
            options.KeyId = ready.GetProperty("keyIds").GetProperty(algorithm).GetString();
        }
        else
        {
            options.ClientSecret = entry.GetProperty("client_secret").GetString();
        }

        return options;
    }

    private async Task<JsonElement> CallApiAsync(HttpClient http)
    {
        using var response = await http.GetAsync(apiAddress);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => body + "\n" + peer.Output);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private sealed class CountingHandler(Action count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            count();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
