using System.Net;
using Atomic.Credentials.KeyPair;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.IntegrationTests.KeyPair;

/// <summary>
/// jose (Node), an implementation that shares nothing with ours, verifies the JWTs the handler
/// sends, for every algorithm and every key form openssl writes.
/// </summary>
[NonParallelizable]
public sealed class KeyPairJoseTests
{
    private const string Audience = "https://partner.example.com";
    private static readonly Uri Api = new("https://partner.example.com/orders");
    private OpenSslKeys keys = null!;
    private JoseVerifier jose = null!;

    private static IEnumerable<TestCaseData> EveryAlgorithmAndForm() =>
        from algorithm in KeyPairSigningKey.Algorithms
        from form in OpenSslKeys.Forms
        select new TestCaseData(algorithm, form);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        OpenSslKeys.RequireOpenSsl();
        jose = await JoseVerifier.StartAsync();
        keys = new OpenSslKeys();
        keys.Generate();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        keys?.Dispose();
        if (jose is not null)
        {
            await jose.DisposeAsync();
        }
    }

    [TestCaseSource(nameof(EveryAlgorithmAndForm))]
    public async Task Jose_accepts_the_JWT_with_openssls_public_key_and_with_our_JWKS(string algorithm, string form)
    {
        var name = OpenSslKeys.KeyName(algorithm);
        var (privateKey, passphrase) = keys.Private(name, form);
        var options = Options(privateKey, passphrase, algorithm);

        var token = await SendAsync(options);
        var withPem = await jose.VerifyAsync(keys.Public(name), token, Audience, "atomic");
        var withJwks = await jose.VerifyAsync(KeyPairPublicKey.FromOptions(options).ToJwks(), token, Audience, "atomic");

        Assert.Multiple(() =>
        {
            Assert.That(withPem["valid"]!.GetValue<bool>(), Is.True, withPem.ToJsonString());
            Assert.That(withPem["header"]!["alg"]!.GetValue<string>(), Is.EqualTo(algorithm));
            Assert.That(withPem["header"]!["kid"]!.GetValue<string>(), Is.EqualTo("k-" + algorithm));
            Assert.That(withPem["payload"]!["sub"]!.GetValue<string>(), Is.EqualTo("svc"));
            Assert.That(withPem["payload"]!["tenant"]!.GetValue<string>(), Is.EqualTo("t1"));
            Assert.That(withJwks["valid"]!.GetValue<bool>(), Is.True, withJwks.ToJsonString());
        });
    }

    [TestCase("ES256", 64)]
    [TestCase("ES384", 96)]
    [TestCase("ES512", 132)]
    public async Task ES_signatures_are_raw_r_and_s_as_JWS_requires(string algorithm, int length)
    {
        var name = OpenSslKeys.KeyName(algorithm);
        var token = await SendAsync(Options(keys.Private(name, "pkcs8").PrivateKey, null, algorithm));

        var verdict = await jose.VerifyAsync(keys.Public(name), token, Audience);

        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(Base64UrlEncoder.DecodeBytes(token.Split('.')[2]), Has.Length.EqualTo(length), "P1363 r‖s, not DER");
        });
    }

    [Test]
    public async Task An_EC_key_from_openssl_ecparam_with_its_parameters_block_signs()
    {
        var token = await SendAsync(Options(keys.Text("ecparam.pem"), null, "ES256"));

        var verdict = await jose.VerifyAsync(keys.Text("ecparam.pub.pem"), token, Audience);

        Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
    }

    [Test]
    public async Task Jose_rejects_a_tampered_token_another_key_and_an_expired_token()
    {
        var token = await SendAsync(Options(keys.Private("rsa", "pkcs8").PrivateKey, null, "RS256"));
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"svc\"", "\"adm\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        var good = await jose.VerifyAsync(keys.Public("rsa"), token, Audience);
        var forged = await jose.VerifyAsync(keys.Public("rsa"), tampered, Audience);
        var otherKey = await jose.VerifyAsync(keys.Public("other-rsa"), token, Audience);
        var later = await jose.VerifyAsync(keys.Public("rsa"), token, Audience, at: DateTimeOffset.UtcNow.AddMinutes(6));
        var wrongAudience = await jose.VerifyAsync(keys.Public("rsa"), token, "https://elsewhere.example.com");

        Assert.Multiple(() =>
        {
            Assert.That(good["valid"]!.GetValue<bool>(), Is.True, good.ToJsonString());
            Assert.That(tampered, Is.Not.EqualTo(token));
            Assert.That(forged["code"]!.GetValue<string>(), Is.EqualTo("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
            Assert.That(otherKey["code"]!.GetValue<string>(), Is.EqualTo("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
            Assert.That(later["code"]!.GetValue<string>(), Is.EqualTo("ERR_JWT_EXPIRED"));
            Assert.That(wrongAudience["code"]!.GetValue<string>(), Is.EqualTo("ERR_JWT_CLAIM_VALIDATION_FAILED"));
        });
    }

    [Test]
    public async Task The_JWK_thumbprint_matches_joses()
    {
        var options = Options(keys.Private("P-384", "pkcs8").PrivateKey, null, "ES384");
        var publicKey = KeyPairPublicKey.FromOptions(options);
        var token = await SendAsync(options);

        var verdict = await jose.VerifyAsync(publicKey.ToJwks(), token, Audience);

        Assert.Multiple(() =>
        {
            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, verdict.ToJsonString());
            Assert.That(verdict["thumbprint"]!.GetValue<string>(), Is.EqualTo(publicKey.JwkThumbprint));
            Assert.That(publicKey.ToPem(), Is.EqualTo(keys.Public("P-384")));
        });
    }

    private static KeyPairOptions Options(string privateKey, string? passphrase, string algorithm)
    {
        var options = new KeyPairOptions
        {
            PrivateKey = privateKey,
            Passphrase = passphrase,
            Algorithm = algorithm,
            KeyId = "k-" + algorithm,
            Issuer = "atomic",
            Subject = "svc",
            Audience = Audience,
        };
        options.Claims["tenant"] = "t1";
        return options;
    }

    // Through the handler, as a user's HttpClient would: the token is what reaches the wire.
    private static async Task<string> SendAsync(KeyPairOptions options)
    {
        string? sent = null;
        using var handler = new KeyPairJwtHandler(options)
        {
            InnerHandler = new Responder(request =>
            {
                sent = request.Headers.Authorization?.Parameter;
                return new HttpResponseMessage(HttpStatusCode.OK);
            }),
        };
        using var client = new HttpClient(handler);
        await client.GetAsync(Api);
        Assert.That(sent, Is.Not.Null);
        return sent!;
    }

    private sealed class Responder(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(respond(request));
    }
}
