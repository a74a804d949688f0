using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Atomic.Credentials.IntegrationTests.OAuth;

/// <summary>
/// DPoP (RFC 9449) against real peers on 127.0.0.1: oidc-provider with DPoP on and nonces required
/// binds the token to our proof key, and an API that verifies every proof with jose (signature,
/// htm, htu, ath, iat, unique jti, cnf.jkt, its own nonce) accepts each request; replayed and
/// altered proofs are refused.
/// </summary>
public sealed class DpopTests
{
    private const int Requests = 6;

    private PeerProcess provider = null!;
    private PeerProcess api = null!;
    private JsonElement ready;
    private Uri apiAddress = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        provider = await PeerProcess.StartNodeAsync("oidc-provider.mjs");
        ready = JsonDocument.Parse(provider.ReadyLine).RootElement.Clone();
        api = await PeerProcess.StartNodeAsync(
            "dpop-api.mjs",
            [ready.GetProperty("issuer").GetString()!, ready.GetProperty("jwksUri").GetString()!, ready.GetProperty("audience").GetString()!]);
        apiAddress = new Uri(JsonDocument.Parse(api.ReadyLine).RootElement.GetProperty("url").GetString()!);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (api is not null)
        {
            await api.DisposeAsync();
        }

        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
    }

    [TestCase("ES256", true)]
    [TestCase("RS256", true)]
    [TestCase("ES256", false)]
    [TestCase("RS256", false)]
    public async Task The_token_is_bound_to_our_key_and_every_proof_verifies(string algorithm, bool fromPem)
    {
        var pem = fromPem ? NewPem(algorithm) : null;
        var options = Options(algorithm, pem);
        var tokenTraffic = new Recorder();
        var apiTraffic = new Recorder();
        using var http = new HttpClient(new OAuthClientCredentialsHandler(options, "dpop-" + algorithm, tokenHandler: tokenTraffic.Over(new SocketsHttpHandler()))
        {
            InnerHandler = apiTraffic.Over(new SocketsHttpHandler()),
        });
        var before = await StatsAsync();

        var results = new List<JsonElement>();
        for (var i = 0; i < Requests; i++)
        {
            results.Add(await CallAsync(http, HttpMethod.Get, $"items/{i}?page={i}#top"));
        }

        var after = await StatsAsync();
        var thumbprint = results[0].GetProperty("jkt").GetString();
        Assert.Multiple(() =>
        {
            // The provider asked for its nonce once, then issued a DPoP token bound to the proof key.
            Assert.That(tokenTraffic.Exchanges.Select(e => e.Status), Is.EqualTo(new[] { HttpStatusCode.BadRequest, HttpStatusCode.OK }));
            Assert.That(tokenTraffic.Exchanges[0].Body, Does.Contain("use_dpop_nonce"));
            Assert.That(tokenTraffic.Exchanges.All(e => e.Proof is not null), "every token request carries a proof");
            Assert.That(JsonDocument.Parse(tokenTraffic.Exchanges[1].Body).RootElement.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
            Assert.That(CnfJkt(JsonDocument.Parse(tokenTraffic.Exchanges[1].Body).RootElement.GetProperty("access_token").GetString()!), Is.EqualTo(thumbprint));
            if (pem is not null)
            {
                Assert.That(thumbprint, Is.EqualTo(KeyPairPublicKey.FromOptions(new KeyPairOptions { PrivateKey = pem, Algorithm = algorithm }).JwkThumbprint));
            }

            Assert.That(results.Select(r => r.GetProperty("jkt").GetString()), Is.All.EqualTo(thumbprint));
            Assert.That(results.Select(r => r.GetProperty("cnfJkt").GetString()), Is.All.EqualTo(thumbprint));
            Assert.That(results.Select(r => r.GetProperty("alg").GetString()), Is.All.EqualTo(algorithm));
            Assert.That(results.Select(r => r.GetProperty("htu").GetString()), Is.EqualTo(Enumerable.Range(0, Requests).Select(i => $"{apiAddress}items/{i}")));
            Assert.That(results.Select(r => r.GetProperty("jti").GetString()).Distinct().Count(), Is.EqualTo(Requests));

            // The API asked for its nonce once (the first request), verified every proof, and refused none but that.
            Assert.That(after.GetProperty("verified").GetInt32() - before.GetProperty("verified").GetInt32(), Is.EqualTo(Requests));
            Assert.That(after.GetProperty("nonceDemands").GetInt32() - before.GetProperty("nonceDemands").GetInt32(), Is.LessThanOrEqualTo(1));
            Assert.That(apiTraffic.Exchanges.Select(e => e.Authorization?.Split(' ')[0]), Is.All.EqualTo("DPoP"));
            Assert.That(apiTraffic.Exchanges.Select(e => e.Proof), Is.Unique);
        });
    }

    [Test]
    public async Task A_new_api_nonce_is_picked_up_with_one_retry_and_a_body_that_cannot_be_replayed_is_not_retried()
    {
        var apiTraffic = new Recorder();
        using var http = new HttpClient(new OAuthClientCredentialsHandler(Options("ES256", null), "dpop-nonce") { InnerHandler = apiTraffic.Over(new SocketsHttpHandler()) });
        await CallAsync(http, HttpMethod.Get, "warm-up");
        await RotateNonceAsync();
        var sent = apiTraffic.Exchanges.Count;

        var replayable = await CallAsync(http, HttpMethod.Post, "orders", new StringContent("{\"n\":1}", Encoding.UTF8, "application/json"));
        var retried = apiTraffic.Exchanges.Skip(sent).ToList();

        await RotateNonceAsync();
        using var streamed = new HttpRequestMessage(HttpMethod.Post, new Uri(apiAddress, "orders")) { Content = new StreamContent(new MemoryStream("{}"u8.ToArray())) };
        using var refused = await http.SendAsync(streamed);

        Assert.Multiple(() =>
        {
            Assert.That(replayable.GetProperty("htm").GetString(), Is.EqualTo("POST"));
            Assert.That(retried.Select(e => e.Status), Is.EqualTo(new[] { HttpStatusCode.Unauthorized, HttpStatusCode.OK }));
            Assert.That(retried[0].Authorization, Is.EqualTo(retried[1].Authorization), "a nonce request keeps the token");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refused.Headers.WwwAuthenticate.ToString(), Does.Contain("use_dpop_nonce"));
        });
    }

    [Test]
    public async Task A_replayed_proof_is_refused()
    {
        var apiTraffic = new Recorder();
        using var http = new HttpClient(new OAuthClientCredentialsHandler(Options("ES256", null), "dpop-replay") { InnerHandler = apiTraffic.Over(new SocketsHttpHandler()) });
        await CallAsync(http, HttpMethod.Get, "replay");
        var accepted = apiTraffic.Exchanges.Last(e => e.Status == HttpStatusCode.OK);

        using var raw = new HttpClient();
        using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(apiAddress, "replay"));
        replay.Headers.TryAddWithoutValidation("Authorization", accepted.Authorization);
        replay.Headers.TryAddWithoutValidation("DPoP", accepted.Proof);
        using var response = await raw.SendAsync(replay);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("jti replayed"));
    }

    [TestCase("payload")]
    [TestCase("url")]
    [TestCase("token")]
    public async Task An_altered_proof_or_a_proof_moved_elsewhere_is_refused(string alteration)
    {
        var apiTraffic = new Recorder();
        using var http = new HttpClient(new OAuthClientCredentialsHandler(Options("ES256", null), "dpop-alter-" + alteration) { InnerHandler = apiTraffic.Over(new SocketsHttpHandler()) });
        await CallAsync(http, HttpMethod.Get, "original");
        var accepted = apiTraffic.Exchanges.Last(e => e.Status == HttpStatusCode.OK);
        var parts = accepted.Proof!.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlDecode(parts[1]));
        var tampered = string.Join('.', parts[0], Base64UrlEncode(Encoding.UTF8.GetBytes(payload.Replace("\"GET\"", "\"PUT\"", StringComparison.Ordinal))), parts[2]);
        var (proof, path, authorization, expected) = alteration switch
        {
            // The signature no longer covers the payload.
            "payload" => (tampered, "original", accepted.Authorization, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),

            // A proof made for one URL sent to another.
            "url" => (accepted.Proof, "elsewhere", accepted.Authorization, "htu"),

            // The proof's ath is the hash of another token.
            _ => (accepted.Proof, "original", accepted.Authorization + "x", "invalid_token"),
        };

        using var raw = new HttpClient();
        using var altered = new HttpRequestMessage(HttpMethod.Get, new Uri(apiAddress, path));
        altered.Headers.TryAddWithoutValidation("Authorization", authorization);
        altered.Headers.TryAddWithoutValidation("DPoP", proof);
        using var response = await raw.SendAsync(altered);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(expected));
    }

    [Test]
    public async Task A_redirect_off_origin_carries_neither_token_nor_proof_and_one_on_origin_gets_a_proof_for_its_own_url()
    {
        var seen = new ConcurrentQueue<(string Host, string Path, string? Authorization, string? Proof)>();
        await using var redirects = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (HttpContext context, RequestDelegate next) =>
            {
                var headers = context.Request.Headers;
                seen.Enqueue((context.Request.Host.Host, context.Request.Path, headers.Authorization.FirstOrDefault(), headers["DPoP"].FirstOrDefault()));
                await next(context);
            });
            app.MapGet("/start", () => Results.Redirect("/next?x=1"));
            app.MapGet("/next", (HttpRequest request) => Results.Redirect($"http://localhost:{request.Host.Port}/collect"));
            app.MapGet("/collect", () => Results.Ok());
        });
        using var http = new HttpClient(new OAuthClientCredentialsHandler(Options("ES256", null), "dpop-redirect") { InnerHandler = new SocketsHttpHandler() });

        using var response = await http.GetAsync(new Uri(redirects.Address, "/start"));

        var hops = seen.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hops.Select(h => (h.Host, h.Path)), Is.EqualTo(new[] { ("127.0.0.1", "/start"), ("127.0.0.1", "/next"), ("localhost", "/collect") }));
            Assert.That(hops[0].Authorization, Does.StartWith("DPoP "));
            Assert.That(hops[1].Authorization, Is.EqualTo(hops[0].Authorization));
            Assert.That(ProofClaims(hops[1].Proof!).GetProperty("htu").GetString(), Is.EqualTo(new Uri(redirects.Address, "/next").ToString()));
            Assert.That(hops[1].Proof, Is.Not.EqualTo(hops[0].Proof));
            Assert.That(hops[2].Authorization, Is.Null);
            Assert.That(hops[2].Proof, Is.Null, "a proof is material: it never leaves the origin");
        });
    }

    [Test]
    public async Task From_configuration_the_pem_never_reaches_logs_errors_or_strings()
    {
        var pem = NewPem("ES256");
        var logs = new FakeLogCollector();
        var client = ready.GetProperty("clients").GetProperty("dpop");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:bound:Type"] = "OAuthClientCredentials",
            ["AtomicCredentials:bound:IdentityUrl"] = ready.GetProperty("tokenEndpoint").GetString(),
            ["AtomicCredentials:bound:ClientId"] = client.GetProperty("client_id").GetString(),
            ["AtomicCredentials:bound:ClientSecret"] = client.GetProperty("client_secret").GetString(),
            ["AtomicCredentials:bound:Scope"] = "api.read",
            ["AtomicCredentials:bound:Dpop"] = "true",
            ["AtomicCredentials:bound:DpopKey"] = pem,
            ["AtomicCredentials:bound:DpopAlgorithm"] = "ES256",
            ["AtomicCredentials:wrong:Type"] = "OAuthClientCredentials",
            ["AtomicCredentials:wrong:IdentityUrl"] = ready.GetProperty("tokenEndpoint").GetString(),
            ["AtomicCredentials:wrong:ClientId"] = "x",
            ["AtomicCredentials:wrong:ClientSecret"] = "y",
            ["AtomicCredentials:wrong:Dpop"] = "true",
            ["AtomicCredentials:wrong:DpopKey"] = pem,
            ["AtomicCredentials:wrong:DpopAlgorithm"] = "RS256",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient("bound-api", c => c.BaseAddress = apiAddress).AddAtomicCredentialHandler("bound");
        services.AddHttpClient("wrong-api", c => c.BaseAddress = apiAddress).AddAtomicCredentialHandler("wrong");
        services.AddHealthChecks().AddAtomicCredentialsCheck();
        await using var provider = services.BuildServiceProvider();

        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("bound-api");
        for (var i = 0; i < 3; i++)
        {
            await CallAsync(http, HttpMethod.Get, "sweep");
        }

        var error = Assert.Catch(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("wrong-api").GetAsync("sweep").GetAwaiter().GetResult())!;
        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var healthText = JsonSerializer.Serialize(health.Entries.ToDictionary(e => e.Key, e => new { e.Value.Status, e.Value.Description, e.Value.Data }));
        var keyBody = string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));
        var secretLines = pem.Split('\n').Where(line => line.Length > 20 && !line.StartsWith("-----", StringComparison.Ordinal)).ToList();
        var everything = string.Join('\n', logs.GetSnapshot().Select(r => r.Message + " " + r.Exception)) + "\n" + error + "\n" + Options("ES256", pem) + "\n" + healthText;
        Assert.Multiple(() =>
        {
            Assert.That(error.ToString(), Does.Contain("DpopAlgorithm"));
            Assert.That(healthText, Does.Contain("DpopAlgorithm"), "the health report says what is wrong with 'wrong'");
            Assert.That(logs.Count, Is.GreaterThan(0));
            Assert.That(everything, Does.Not.Contain(keyBody));
            foreach (var line in secretLines)
            {
                Assert.That(everything, Does.Not.Contain(line.Trim()));
            }
        });
    }

    private OAuthClientCredentialsOptions Options(string algorithm, string? pem)
    {
        var client = ready.GetProperty("clients").GetProperty("dpop");
        return new OAuthClientCredentialsOptions
        {
            IdentityUrl = ready.GetProperty("tokenEndpoint").GetString()!,
            ClientId = client.GetProperty("client_id").GetString()!,
            ClientSecret = client.GetProperty("client_secret").GetString(),
            Scope = "api.read",
            Dpop = true,
            DpopAlgorithm = algorithm,
            DpopKey = pem,
        };
    }

    private static string NewPem(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static JsonElement ProofClaims(string proof) => JsonDocument.Parse(Base64UrlDecode(proof.Split('.')[1])).RootElement.Clone();

    private static string? CnfJkt(string jwt) =>
        JsonDocument.Parse(Base64UrlDecode(jwt.Split('.')[1])).RootElement.GetProperty("cnf").GetProperty("jkt").GetString();

    private async Task<JsonElement> CallAsync(HttpClient http, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(apiAddress, path)) { Content = content };
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => body + "\n" + api.Output + "\n" + provider.Output);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> StatsAsync()
    {
        using var raw = new HttpClient();
        return JsonDocument.Parse(await raw.GetStringAsync(new Uri(apiAddress, "_stats"))).RootElement.Clone();
    }

    private async Task RotateNonceAsync()
    {
        using var raw = new HttpClient();
        (await raw.PostAsync(new Uri(apiAddress, "_rotate"), null)).EnsureSuccessStatusCode();
    }

    private static byte[] Base64UrlDecode(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);

    private static string Base64UrlEncode(byte[] value) => System.Buffers.Text.Base64Url.EncodeToString(value);

    /// <summary>What crossed the wire: each request's Authorization and DPoP headers, each answer's status and body.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentQueue<Exchange> exchanges = new();

        public IReadOnlyList<Exchange> Exchanges => [.. exchanges];

        public HttpMessageHandler Over(HttpMessageHandler inner) => new Recording(this) { InnerHandler = inner };

        private sealed class Recording(Recorder recorder) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = await base.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                recorder.exchanges.Enqueue(new Exchange(
                    request.Headers.TryGetValues("Authorization", out var authorization) ? authorization.Single() : null,
                    request.Headers.TryGetValues("DPoP", out var proof) ? proof.Single() : null,
                    response.StatusCode,
                    await response.Content.ReadAsStringAsync(cancellationToken)));
                return response;
            }
        }
    }

    private sealed record Exchange(string? Authorization, string? Proof, HttpStatusCode Status, string Body);
}
