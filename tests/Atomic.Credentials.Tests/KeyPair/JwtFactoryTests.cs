using System.Text.Json;
using Atomic.Credentials.KeyPair;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.Tests.KeyPair;

public sealed class JwtFactoryTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [TestCaseSource(typeof(KeyPairSigningKey), nameof(KeyPairSigningKey.Algorithms))]
    public async Task Signs_with_every_algorithm_a_token_the_public_key_verifies(string algorithm)
    {
        var key = KeyPairSigningKey.Load(TestKeys.Pkcs8(algorithm), null, algorithm, "k1");

        var jwt = JwtFactory.Create(key, new JwtClaims("iss1", "sub1", ["aud1"], TimeSpan.FromMinutes(5)), Now);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt.Token, new TokenValidationParameters
        {
            IssuerSigningKey = PublicSecurityKey(algorithm),
            ValidIssuer = "iss1",
            ValidAudience = "aud1",
            ValidateLifetime = false,
        });
        Assert.That(result.IsValid, Is.True, () => result.Exception?.Message ?? string.Empty);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo(algorithm));
            Assert.That(token.Kid, Is.EqualTo("k1"));
            Assert.That(token.Typ, Is.EqualTo("JWT"));
        });
    }

    [Test]
    public void Writes_times_in_whole_seconds_a_fresh_jti_and_one_audience_as_a_string()
    {
        var key = KeyPairSigningKey.Load(TestKeys.Pkcs8("ES256"), null, "ES256", null);
        var claims = new JwtClaims("iss1", "sub1", ["aud1"], TimeSpan.FromMinutes(5));

        var first = JwtFactory.Create(key, claims, Now);
        var second = JwtFactory.Create(key, claims, Now);

        using var payload = Payload(first.Token);
        var root = payload.RootElement;
        var iat = Now.ToUnixTimeSeconds();
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("iss").GetString(), Is.EqualTo("iss1"));
            Assert.That(root.GetProperty("sub").GetString(), Is.EqualTo("sub1"));
            Assert.That(root.GetProperty("aud").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(root.GetProperty("iat").GetInt64(), Is.EqualTo(iat));
            Assert.That(root.GetProperty("nbf").GetInt64(), Is.EqualTo(iat));
            Assert.That(root.GetProperty("exp").GetInt64(), Is.EqualTo(iat + 300));
            Assert.That(first.ExpiresAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(iat + 300)));
            Assert.That(root.GetProperty("jti").GetString(), Has.Length.GreaterThanOrEqualTo(22));
            Assert.That(new JsonWebToken(second.Token).Id, Is.Not.EqualTo(root.GetProperty("jti").GetString()));
            Assert.That(new JsonWebToken(first.Token).TryGetHeaderValue("kid", out string _), Is.False);
        });
    }

    [Test]
    public void Writes_several_audiences_as_an_array_and_custom_claims_with_their_json_types()
    {
        var key = KeyPairSigningKey.Load(TestKeys.Pkcs8("RS256"), null, "RS256", null);
        var extra = new Dictionary<string, object>
        {
            ["tenant"] = "t1", ["level"] = 3, ["ratio"] = 0.5, ["admin"] = true, ["roles"] = new[] { "a", "b" },
        };
        var claims = new JwtClaims("iss1", null, ["a1", "a2"], TimeSpan.FromSeconds(60), "at+jwt", extra);

        var jwt = JwtFactory.Create(key, claims, Now);

        using var payload = Payload(jwt.Token);
        var root = payload.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("aud").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "a1", "a2" }));
            Assert.That(root.TryGetProperty("sub", out _), Is.False);
            Assert.That(root.GetProperty("tenant").GetString(), Is.EqualTo("t1"));
            Assert.That(root.GetProperty("level").GetInt32(), Is.EqualTo(3));
            Assert.That(root.GetProperty("ratio").GetDouble(), Is.EqualTo(0.5));
            Assert.That(root.GetProperty("admin").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("roles").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(new JsonWebToken(jwt.Token).Typ, Is.EqualTo("at+jwt"));
        });
    }

    internal static JsonDocument Payload(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));

    private static SecurityKey PublicSecurityKey(string algorithm) => TestKeys.For(algorithm) switch
    {
        System.Security.Cryptography.RSA rsa => new RsaSecurityKey(rsa.ExportParameters(false)),
        System.Security.Cryptography.ECDsa ec => new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(ec.ExportParameters(false))),
        _ => throw new InvalidOperationException(),
    };
}
