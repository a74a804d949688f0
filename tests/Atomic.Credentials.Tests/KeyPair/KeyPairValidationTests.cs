using Atomic.Credentials.KeyPair;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.KeyPair;

public sealed class KeyPairValidationTests
{
    private static readonly string[] Forms = ["Pkcs8", "Traditional", "EncryptedPkcs8"];

    private static IEnumerable<TestCaseData> EveryAlgorithmAndForm() =>
        from algorithm in KeyPairSigningKey.Algorithms
        from form in Forms
        select new TestCaseData(algorithm, form);

    [TestCaseSource(nameof(EveryAlgorithmAndForm))]
    public void Every_PEM_form_loads_for_every_algorithm(string algorithm, string form)
    {
        var (pem, passphrase) = Pem(algorithm, form);

        var key = KeyPairSigningKey.Load(pem, passphrase, algorithm, null);

        Assert.That(key.Key.ExportSubjectPublicKeyInfoPem(), Is.EqualTo(TestKeys.PublicPem(algorithm)));
    }

    [Test]
    public void A_file_path_an_EC_PARAMETERS_block_first_and_escaped_newlines_all_load()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, TestKeys.Pkcs8("ES384"));
            var withParameters = "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + TestKeys.Traditional("ES384");
            var escaped = TestKeys.Pkcs8("ES384").Replace("\n", "\\n", StringComparison.Ordinal);

            foreach (var value in new[] { path, withParameters, escaped })
            {
                Assert.That(KeyPairSigningKey.Load(value, null, "es384", null).Algorithm, Is.EqualTo("ES384"));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<TestCaseData> BadKeys()
    {
        var pkcs8 = TestKeys.Pkcs8("RS256");
        yield return new TestCaseData(pkcs8[..200] + "!!" + pkcs8[200..], null, "RS256", "PrivateKey is not a well-formed PEM private key").SetName("Malformed PEM");
        yield return new TestCaseData(TestKeys.Body(pkcs8), null, "RS256", "PrivateKey is neither PEM text").SetName("PEM body without armour");
        yield return new TestCaseData(TestKeys.PublicPem("RS256"), null, "RS256", "PrivateKey holds a public key, not a private key").SetName("Public key");
        yield return new TestCaseData(TestKeys.EncryptedPkcs8("ES256"), "wrong passphrase", "ES256", "Passphrase could not be decrypted").SetName("Wrong passphrase");
        yield return new TestCaseData(TestKeys.EncryptedPkcs8("ES256"), null, "ES256", "Passphrase is required: the private key is encrypted").SetName("Missing passphrase");
        yield return new TestCaseData(pkcs8, "unneeded", "RS256", "Passphrase is set but the private key is not encrypted").SetName("Passphrase on a plain key");
        yield return new TestCaseData(pkcs8, null, "HS256", "Algorithm is not supported; use one of RS256").SetName("Unsupported algorithm");
        yield return new TestCaseData(pkcs8, null, "ES256", "Algorithm ES256 does not fit an RSA key").SetName("ES256 with an RSA key");
        yield return new TestCaseData(TestKeys.Pkcs8("ES384"), null, "ES256", "Algorithm ES256 does not fit an EC P-384 key; use ES384").SetName("ES256 with a P-384 key");
        yield return new TestCaseData(TestKeys.Pkcs8("ES256"), null, "RS256", "Algorithm RS256 does not fit an EC P-256 key; use ES256").SetName("RS256 with an EC key");
        using var small = System.Security.Cryptography.RSA.Create(1024);
        yield return new TestCaseData(small.ExportPkcs8PrivateKeyPem(), null, "RS256", "PrivateKey is an RSA key of 1024 bits; RS256 needs at least 2048").SetName("RSA 1024");
    }

    [TestCaseSource(nameof(BadKeys))]
    public void A_bad_key_fails_naming_credential_and_field_but_never_the_key(string pem, string? passphrase, string algorithm, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new KeyPairJwtHandler(Options(o =>
        {
            o.PrivateKey = pem;
            o.Passphrase = passphrase;
            o.Algorithm = algorithm;
        }), "partner"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'partner' (KeyPair): " + expected));
            AssertNoKeyMaterial(error.Message, pem);
            Assert.That(error.ToString(), Does.Not.Contain(TestKeys.Body(pem)[..40]));
            if (passphrase is not null)
            {
                Assert.That(error.Message, Does.Not.Contain(passphrase));
            }
        });
    }

    private static IEnumerable<TestCaseData> BadFields()
    {
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Lifetime = TimeSpan.Zero), "Lifetime must be at least 1 second").SetName("Lifetime zero");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Lifetime = TimeSpan.FromMinutes(-5)), "Lifetime must be at least 1 second").SetName("Lifetime negative");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.CacheLifetimeRatio = 0), "CacheLifetimeRatio must be greater than 0 and at most 1").SetName("Ratio zero");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.CacheLifetimeRatio = 1.5), "CacheLifetimeRatio must be greater than 0 and at most 1").SetName("Ratio above one");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Issuer = ""), "Issuer is required").SetName("No issuer");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Claims["sub"] = "other"), "Claims 'sub' is a registered claim").SetName("Claims override sub");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Claims["exp"] = 99), "Claims 'exp' is a registered claim").SetName("Claims override exp");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Claims["jti"] = "fixed"), "Claims 'jti' is a registered claim").SetName("Claims override jti");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.Claims["when"] = DateTime.UtcNow), "Claims:when must be a string, a number, a boolean or an array").SetName("Claim of another type");
        yield return new TestCaseData((Action<KeyPairOptions>)(o => o.KeyId = "k\n1"), "KeyId must not contain control characters").SetName("KeyId with a newline");
    }

    [TestCaseSource(nameof(BadFields))]
    public void A_bad_field_fails_naming_credential_and_field(Action<KeyPairOptions> change, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new KeyPairJwtHandler(Options(change), "partner"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'partner' (KeyPair): " + expected));
            AssertNoKeyMaterial(error.Message, TestKeys.Pkcs8("RS256"));
        });
    }

    [Test]
    public void The_shared_field_validation_reports_every_bad_field_at_once()
    {
        var errors = new Atomic.Credentials.Internal.OptionsErrors("crm", "OAuthClientCredentials");

        var key = SigningKeyFields.Validate(errors, TestKeys.PublicPem("ES256"), null, "XS1", "k\r");

        Assert.Multiple(() =>
        {
            Assert.That(key, Is.Null);
            Assert.That(errors.Result.Failures, Has.Some.Contains("Credential 'crm' (OAuthClientCredentials): Algorithm is not supported"));
            Assert.That(errors.Result.Failures, Has.Some.Contains("PrivateKey holds a public key"));
            Assert.That(errors.Result.Failures, Has.Some.Contains("KeyId must not contain control characters"));
        });
    }

    internal static KeyPairOptions Options(Action<KeyPairOptions>? change = null, string algorithm = "RS256")
    {
        var options = new KeyPairOptions { PrivateKey = TestKeys.Pkcs8(algorithm), Algorithm = algorithm, Issuer = "atomic", Subject = "svc", Audience = "https://partner.example.com" };
        change?.Invoke(options);
        return options;
    }

    private static void AssertNoKeyMaterial(string message, string pem)
    {
        foreach (var line in pem.Split('\n').Where(line => line.Length > 20 && !line.StartsWith("-----", StringComparison.Ordinal)))
        {
            Assert.That(message, Does.Not.Contain(line[..20]));
        }
    }

    private static (string Pem, string? Passphrase) Pem(string algorithm, string form) => form switch
    {
        "Pkcs8" => (TestKeys.Pkcs8(algorithm), null),
        "Traditional" => (TestKeys.Traditional(algorithm), null),
        _ => (TestKeys.EncryptedPkcs8(algorithm), TestKeys.Passphrase),
    };
}
