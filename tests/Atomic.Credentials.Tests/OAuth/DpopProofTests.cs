using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.OAuth;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>The DPoP proof builder (RFC 9449 §4): its header, claims and key, checked on random requests.</summary>
public sealed class DpopProofTests
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    [Test]
    public async Task Every_proof_is_signed_by_its_public_jwk_and_names_only_this_request(
        [Values("ES256", "RS256")] string algorithm, [Random(0, int.MaxValue, 2)] int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000 + random.Next(1_000_000)));
        var proofs = DpopProof.For(Options(algorithm, PemFor(algorithm)), time)!;
        var jtis = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var (uri, htu) = RandomRequest(random);
            var method = new HttpMethod(Methods[random.Next(Methods.Length)]);
            var token = random.Next(3) == 0 ? null : Convert.ToBase64String(RandomNumberGenerator.GetBytes(random.Next(10, 200)));
            var nonce = random.Next(2) == 0 ? null : "n-" + random.Next();
            var ath = token is null ? null : Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(token))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

            var proof = proofs.Create(method, uri, ath, nonce);

            var header = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[0])).RootElement;
            var jwk = header.GetProperty("jwk");
            var validation = new TokenValidationParameters
            {
                IssuerSigningKey = new JsonWebKey(jwk.GetRawText()),
                ValidateIssuer = false,
                ValidateAudience = false,
                ValidateLifetime = false,
                ValidTypes = ["dpop+jwt"],
            };
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(proof, validation);
            var claims = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[1])).RootElement;
            var because = $"seed {seed}, request {i}: {method} {uri}";
            Assert.Multiple(() =>
            {
                Assert.That(result.IsValid, Is.True, because + ": " + result.Exception?.Message);
                Assert.That(header.GetProperty("typ").GetString(), Is.EqualTo("dpop+jwt"), because);
                Assert.That(header.GetProperty("alg").GetString(), Is.EqualTo(algorithm), because);
                Assert.That(jwk.EnumerateObject().Select(member => member.Name), Is.EquivalentTo(algorithm == "ES256" ? new[] { "crv", "kty", "x", "y" } : ["e", "kty", "n"]), because + ": the jwk has no private member");
                Assert.That(claims.GetProperty("htm").GetString(), Is.EqualTo(method.Method), because);
                Assert.That(claims.GetProperty("htu").GetString(), Is.EqualTo(htu), because);
                Assert.That(claims.GetProperty("iat").GetInt64(), Is.EqualTo(time.GetUtcNow().ToUnixTimeSeconds()), because);
                Assert.That(jtis.Add(claims.GetProperty("jti").GetString()!), Is.True, because + ": jti is fresh");
                Assert.That(claims.TryGetProperty("ath", out var athClaim) ? athClaim.GetString() : null, Is.EqualTo(ath), because);
                Assert.That(claims.TryGetProperty("nonce", out var nonceClaim) ? nonceClaim.GetString() : null, Is.EqualTo(nonce), because);
            });
            time.Advance(TimeSpan.FromSeconds(random.Next(0, 5)));
        }
    }

    [TestCase("ES256")]
    [TestCase("RS256")]
    public void The_thumbprint_is_the_rfc7638_thumbprint_of_the_proof_key(string algorithm)
    {
        var pem = PemFor(algorithm);

        var proofs = DpopProof.For(Options(algorithm, pem), TimeProvider.System)!;

        Assert.That(proofs.Thumbprint, Is.EqualTo(KeyPairPublicKey.FromOptions(new KeyPairOptions { PrivateKey = pem, Algorithm = algorithm }).JwkThumbprint));
    }

    [Test]
    public void Without_a_key_one_is_generated_once_per_process_and_algorithm()
    {
        var first = DpopProof.For(Options("ES256", null), TimeProvider.System)!;
        var second = DpopProof.For(Options("ES256", null), TimeProvider.System)!;
        var rsa = DpopProof.For(Options("RS256", null), TimeProvider.System)!;

        Assert.Multiple(() =>
        {
            Assert.That(second.Thumbprint, Is.EqualTo(first.Thumbprint));
            Assert.That(rsa.Thumbprint, Is.Not.EqualTo(first.Thumbprint));
            Assert.That(rsa.Algorithm, Is.EqualTo("RS256"));
        });
    }

    [Test]
    public void Access_token_hash_is_base64url_sha256_of_the_token()
    {
        // RFC 9449 §7.1's example: the token and its ath.
        Assert.That(DpopProof.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), Is.EqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
    }

    internal static OAuthClientCredentialsOptions Options(string algorithm, string? pem) =>
        OAuthTestKit.Options(options =>
        {
            options.Dpop = true;
            options.DpopAlgorithm = algorithm;
            options.DpopKey = pem;
        });

    internal static string PemFor(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == "ES256" ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        return key.ExportPkcs8PrivateKeyPem();
    }

    // A URL with a random scheme, host case, port, path, query and fragment; and its htu as RFC 9449 wants it.
    private static (Uri Uri, string Htu) RandomRequest(Random random)
    {
        const string unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
        string Word(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => unreserved[random.Next(unreserved.Length)])]);
        var https = random.Next(2) == 0;
        var host = string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => "Ab" + random.Next(1000) + ".")) + "example.com";
        var port = random.Next(3) switch { 0 => https ? 443 : 80, 1 => random.Next(1024, 65535), _ => -1 };
        var path = "/" + string.Join('/', Enumerable.Range(0, random.Next(0, 4)).Select(_ => Word(1, 8).Trim('.')).Where(s => s.Length > 0));
        var query = random.Next(2) == 0 ? "" : "?" + Word(1, 6) + "=" + Word(0, 6);
        var fragment = random.Next(3) == 0 ? "#" + Word(1, 6) : "";
        var scheme = https ? "https" : "http";
        var portPart = port < 0 ? "" : ":" + port;
        var uri = new Uri($"{scheme}://{host}{portPart}{path}{query}{fragment}");
        var shownPort = port < 0 || port == (https ? 443 : 80) ? "" : ":" + port;
        return (uri, $"{scheme}://{host.ToLowerInvariant()}{shownPort}{path}");
    }
}
