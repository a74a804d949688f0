using System.Text.Json;

namespace Atomic.Credentials.Tests.KeyPair;

public sealed class KeyPairPublicKeyTests
{
    [Test]
    public void An_RSA_JWK_has_the_modulus_exponent_alg_and_kid_and_no_private_member()
    {
        var publicKey = KeyPairPublicKey.FromOptions(KeyPairValidationTests.Options(o => o.KeyId = "k1"));

        using var jwk = JsonDocument.Parse(publicKey.ToJwk());
        var root = jwk.RootElement;
        var parameters = TestKeys.RsaKey.ExportParameters(false);
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("kty").GetString(), Is.EqualTo("RSA"));
            Assert.That(root.GetProperty("n").GetString(), Is.EqualTo(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(parameters.Modulus)));
            Assert.That(root.GetProperty("e").GetString(), Is.EqualTo("AQAB"));
            Assert.That(root.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(root.GetProperty("use").GetString(), Is.EqualTo("sig"));
            Assert.That(root.GetProperty("kid").GetString(), Is.EqualTo("k1"));
            Assert.That(root.EnumerateObject().Select(p => p.Name), Has.None.AnyOf("d", "p", "q", "dp", "dq", "qi"));
        });
    }

    [TestCase("ES256", "P-256", 32)]
    [TestCase("ES384", "P-384", 48)]
    [TestCase("ES512", "P-521", 66)]
    public void An_EC_JWKS_holds_the_curve_and_full_length_coordinates(string algorithm, string curve, int length)
    {
        var publicKey = KeyPairPublicKey.FromOptions(KeyPairValidationTests.Options(null, algorithm));

        using var jwks = JsonDocument.Parse(publicKey.ToJwks());
        var key = jwks.RootElement.GetProperty("keys").EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(key.GetProperty("crv").GetString(), Is.EqualTo(curve));
            Assert.That(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(key.GetProperty("x").GetString()), Has.Length.EqualTo(length));
            Assert.That(key.TryGetProperty("kid", out _), Is.False, "no kid unless one is configured");
            Assert.That(key.TryGetProperty("d", out _), Is.False);
            Assert.That(publicKey.ToPem(), Is.EqualTo(TestKeys.PublicPem(algorithm) + "\n"));
        });
    }

    [Test]
    public void A_bad_key_fails_with_a_credential_exception_naming_the_field_and_ToString_shows_no_key()
    {
        var error = Assert.Throws<CredentialException>(() =>
            KeyPairPublicKey.FromOptions(KeyPairValidationTests.Options(o => o.PrivateKey = TestKeys.PublicPem("RS256")), "partner"));
        var publicKey = KeyPairPublicKey.FromOptions(KeyPairValidationTests.Options());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'partner' (KeyPair): PrivateKey holds a public key"));
            Assert.That(publicKey.ToString(), Does.Contain("RS256").And.Not.Contain(TestKeys.Body(TestKeys.PublicPem("RS256"))[..30]));
        });
    }
}
