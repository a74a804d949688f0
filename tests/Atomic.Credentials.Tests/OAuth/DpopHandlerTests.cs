using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Atomic.Credentials.Caching;
using Atomic.Credentials.OAuth;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// DPoP in the OAuth handler, against in-memory endpoints: nonces on the token endpoint and the API,
/// the token type, the cache key, and start-up validation.
/// </summary>
public sealed class DpopHandlerTests
{
    [Test]
    public async Task The_token_endpoints_nonce_is_used_in_one_retry_and_the_api_gets_the_token_with_a_proof()
    {
        var tokenProofs = new ConcurrentQueue<JsonElement>();
        var tokenEndpoint = new StubHandler(request =>
        {
            var proof = Claims(request);
            tokenProofs.Enqueue(proof);
            if (!proof.TryGetProperty("nonce", out var nonce) || nonce.GetString() != "server-nonce-1")
            {
                var refusal = OAuthTestKit.Json("""{"error":"use_dpop_nonce","error_description":"nonce required"}""", HttpStatusCode.BadRequest);
                refusal.Headers.TryAddWithoutValidation("DPoP-Nonce", "server-nonce-1");
                return refusal;
            }

            return OAuthTestKit.Token("bound-token", type: "DPoP");
        });
        var api = new Recorder();
        using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", null), tokenEndpoint, api);

        using var response = await http.GetAsync(OAuthTestKit.ApiUrl + "?q=1");

        var sent = api.Requests.Single();
        var apiProof = JsonDocument.Parse(Base64UrlEncoder.Decode(sent.Proof!.Split('.')[1])).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(tokenProofs.Select(p => p.TryGetProperty("nonce", out var n) ? n.GetString() : null), Is.EqualTo(new[] { null, "server-nonce-1" }));
            Assert.That(tokenProofs.Select(p => p.GetProperty("htu").GetString()), Is.All.EqualTo(OAuthTestKit.TokenUrl));
            Assert.That(tokenProofs.Select(p => p.GetProperty("htm").GetString()), Is.All.EqualTo("POST"));
            Assert.That(tokenProofs.Any(p => p.TryGetProperty("ath", out _)), Is.False, "a token request has no token to hash");
            Assert.That(sent.Authorization, Is.EqualTo("DPoP bound-token"));
            Assert.That(apiProof.GetProperty("htu").GetString(), Is.EqualTo(OAuthTestKit.ApiUrl));
            Assert.That(apiProof.GetProperty("ath").GetString(), Is.EqualTo(DpopProof.AccessTokenHash("bound-token")));
            Assert.That(apiProof.TryGetProperty("nonce", out _), Is.False, "the token endpoint's nonce is not the API's");
        });
    }

    [Test]
    public async Task A_nonce_on_a_successful_api_response_is_the_one_the_next_proof_carries()
    {
        var answered = 0;
        var api = new Recorder(_ =>
        {
            var ok = new HttpResponseMessage(HttpStatusCode.OK);
            ok.Headers.TryAddWithoutValidation("DPoP-Nonce", "rotated-" + Interlocked.Increment(ref answered));
            return ok;
        });
        using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", null), new StubHandler(_ => OAuthTestKit.Token("bound", type: "DPoP")), api);

        for (var i = 0; i < 4; i++)
        {
            using var response = await http.GetAsync(OAuthTestKit.ApiUrl);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var nonces = api.Requests.Select(sent => Claims(sent.Proof!).TryGetProperty("nonce", out var n) ? n.GetString() : null);
        Assert.That(nonces, Is.EqualTo(new[] { null, "rotated-1", "rotated-2", "rotated-3" }), "each proof carries the latest nonce the API gave; no retry was needed");
    }

    [Test]
    public async Task With_the_query_request_scheme_the_token_proof_names_GET_and_the_token_url_without_its_query()
    {
        var proofs = new ConcurrentQueue<(HttpMethod Method, string? Query, JsonElement Claims)>();
        var tokenEndpoint = new StubHandler(request =>
        {
            proofs.Enqueue((request.Method, request.RequestUri!.Query, Claims(request)));
            return OAuthTestKit.Token("bound", type: "DPoP");
        });
        var options = DpopProofTests.Options("ES256", null);
        options.RequestScheme = OAuthRequestScheme.Query;
        var api = new Recorder();
        using var http = OAuthTestKit.Client(options, tokenEndpoint, api);

        using var response = await http.GetAsync(OAuthTestKit.ApiUrl);

        var (method, query, claims) = proofs.Single();
        Assert.Multiple(() =>
        {
            Assert.That(method, Is.EqualTo(HttpMethod.Get));
            Assert.That(query, Does.Contain("grant_type=client_credentials"), "the parameters travel in the query");
            Assert.That(claims.GetProperty("htm").GetString(), Is.EqualTo("GET"));
            Assert.That(claims.GetProperty("htu").GetString(), Is.EqualTo(OAuthTestKit.TokenUrl), "htu leaves the query (and its secret) out");
            Assert.That(api.Requests.Single().Authorization, Is.EqualTo("DPoP bound"));
        });
    }

    [TestCase("use_dpop_nonce", 2)]
    [TestCase("invalid_client", 1)]
    public void A_token_endpoint_refusal_with_a_nonce_is_retried_once_only_when_it_asks_for_the_nonce(string error, int expectedRequests)
    {
        var requests = 0;
        var tokenEndpoint = new StubHandler(_ =>
        {
            var refusal = OAuthTestKit.Json($$"""{"error":"{{error}}"}""", HttpStatusCode.BadRequest);
            refusal.Headers.TryAddWithoutValidation("DPoP-Nonce", "nonce-" + Interlocked.Increment(ref requests));
            return refusal;
        });
        var api = new Recorder();
        using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", null), tokenEndpoint, api);

        var failure = Assert.ThrowsAsync<CredentialException>(() => http.GetAsync(OAuthTestKit.ApiUrl))!;

        Assert.Multiple(() =>
        {
            Assert.That(failure.Error, Is.EqualTo(error));
            Assert.That(failure.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(requests, Is.EqualTo(expectedRequests));
            Assert.That(api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task An_api_asking_for_a_nonce_gets_one_retry_with_it_and_the_same_token()
    {
        var tokens = 0;
        var tokenEndpoint = new StubHandler(_ => OAuthTestKit.Token("bound-" + Interlocked.Increment(ref tokens), type: "DPoP"));
        var api = new Recorder(request =>
        {
            if (Claims(request).TryGetProperty("nonce", out var nonce) && nonce.GetString() == "api-nonce")
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            challenge.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\", error_description=\"nonce\"");
            challenge.Headers.TryAddWithoutValidation("DPoP-Nonce", "api-nonce");
            return challenge;
        });
        using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", null), tokenEndpoint, api);

        using var first = await http.GetAsync(OAuthTestKit.ApiUrl);
        using var second = await http.GetAsync(OAuthTestKit.ApiUrl);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(api.Requests, Has.Count.EqualTo(3), "one nonce retry, then the nonce is remembered");
            Assert.That(api.Requests.Select(r => r.Authorization), Is.All.EqualTo("DPoP bound-1"), "a nonce request does not evict the token");
            Assert.That(tokens, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_bearer_token_when_dpop_is_on_is_refused_and_the_api_never_called()
    {
        var api = new Recorder();
        using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", null), new StubHandler(_ => OAuthTestKit.Token("plain")), api);

        var error = Assert.ThrowsAsync<CredentialException>(() => http.GetAsync(OAuthTestKit.ApiUrl))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("'Bearer'").And.Contain("Dpop"));
            Assert.That(api.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task Each_proof_key_gets_its_own_token_from_a_shared_cache()
    {
        using var cache = new MemoryCredentialCache();
        var tokens = 0;
        var tokenEndpoint = new StubHandler(_ => OAuthTestKit.Token("t" + Interlocked.Increment(ref tokens), type: "DPoP"));
        foreach (var pem in new[] { DpopProofTests.PemFor("ES256"), DpopProofTests.PemFor("ES256") })
        {
            using var http = OAuthTestKit.Client(DpopProofTests.Options("ES256", pem), tokenEndpoint, new Recorder(), cache);
            using var response = await http.GetAsync(OAuthTestKit.ApiUrl);
        }

        Assert.That(tokens, Is.EqualTo(2));
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public async Task Without_DpopAlgorithm_the_key_type_decides_the_proof_algorithm(string keyAlgorithm)
    {
        var api = new Recorder();
        var options = DpopProofTests.Options(keyAlgorithm, DpopProofTests.PemFor(keyAlgorithm));
        options.DpopAlgorithm = null;
        using var http = OAuthTestKit.Client(options, new StubHandler(_ => OAuthTestKit.Token("bound", type: "DPoP")), api);

        using var response = await http.GetAsync(OAuthTestKit.ApiUrl);

        var proof = api.Requests.Single().Proof!;
        using var header = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(proof.Split('.')[0]));
        Assert.That(header.RootElement.GetProperty("alg").GetString(), Is.EqualTo(keyAlgorithm));
    }

    [TestCase("HS256", null, "DpopAlgorithm must be one of ES256, RS256")]
    [TestCase("ES256", "RS256-key", "DpopAlgorithm does not fit DpopKey")]
    [TestCase("RS256", "not-a-key", "DpopKey is neither PEM text")]
    [TestCase("ES256", "encrypted", "DpopKey is an encrypted key")]
    public void Bad_dpop_fields_fail_at_start_up_naming_the_field_and_never_the_value(string algorithm, string? key, string expected)
    {
        var secret = "SECRET" + Guid.NewGuid().ToString("N");
        var pem = key switch
        {
            "RS256-key" => DpopProofTests.PemFor("RS256"),
            "not-a-key" => secret,
            "encrypted" => EncryptedPem(secret),
            _ => null,
        };

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new OAuthClientCredentialsHandler(DpopProofTests.Options(algorithm, pem), "bad"))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(expected));
            Assert.That(error.Message, Does.Not.Contain(secret));
            if (pem?.Contains('\n', StringComparison.Ordinal) == true)
            {
                Assert.That(error.Message, Does.Not.Contain(pem.Split('\n')[1].Trim()));
            }
        });
    }

    [Test]
    public void A_dpop_key_without_dpop_on_is_refused()
    {
        var options = DpopProofTests.Options("ES256", DpopProofTests.PemFor("ES256"));
        options.Dpop = false;

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new OAuthClientCredentialsHandler(options, "off"))!;

        Assert.That(error.Message, Does.Contain("Dpop must be true"));
    }

    [Test]
    public void Nonces_are_kept_per_origin_bounded_and_only_when_well_formed()
    {
        var nonces = new DpopNonces();
        for (var i = 0; i < DpopNonces.MaxOrigins * 3; i++)
        {
            nonces.Remember(new Uri($"https://h{i}.example.com/a"), WithNonce("n" + i));
        }

        var last = new Uri($"https://h{(DpopNonces.MaxOrigins * 3) - 1}.example.com/other?q");
        var remembered = Enumerable.Range(0, DpopNonces.MaxOrigins * 3).Count(i => nonces.For(new Uri($"https://h{i}.example.com/")) is not null);
        Assert.Multiple(() =>
        {
            Assert.That(nonces.For(last), Is.EqualTo("n" + ((DpopNonces.MaxOrigins * 3) - 1)), "any path of the origin");
            Assert.That(remembered, Is.InRange(1, DpopNonces.MaxOrigins));
            Assert.That(nonces.Remember(last, WithNonce("bad\"nonce")), Is.False);
            Assert.That(nonces.Remember(last, WithNonce("bad nonce")), Is.False);
            Assert.That(nonces.For(new Uri("http://h1.example.com:8443/")), Is.Null, "another origin");
        });
    }

    private static HttpResponseMessage WithNonce(string nonce)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("DPoP-Nonce", nonce);
        return response;
    }

    private static string EncryptedPem(string passphrase)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, new System.Security.Cryptography.PbeParameters(
            System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 1000));
    }

    private static JsonElement Claims(HttpRequestMessage request) =>
        Claims(request.Headers.TryGetValues("DPoP", out var values) ? values.Single() : throw new AssertionException("no DPoP header on " + request.RequestUri));

    private static JsonElement Claims(string proof) => JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[1])).RootElement.Clone();

    /// <summary>An API in memory that records each request's URL, Authorization and DPoP headers.</summary>
    private sealed class Recorder(Func<HttpRequestMessage, HttpResponseMessage>? respond = null) : HttpMessageHandler
    {
        private readonly ConcurrentQueue<Sent> requests = new();

        public IReadOnlyCollection<Sent> Requests => requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue(new Sent(
                request.RequestUri!,
                request.Headers.TryGetValues("Authorization", out var authorization) ? authorization.Single() : null,
                request.Headers.TryGetValues("DPoP", out var proof) ? proof.Single() : null));
            var response = respond?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.OK);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }

    private sealed record Sent(Uri Uri, string? Authorization, string? Proof);
}
