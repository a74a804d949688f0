using System.Text.Json.Nodes;
using Atomic.Credentials.IntegrationTests.KeyPair;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary>
/// <c>atomic-credentials public-key</c>: what it prints is what a partner needs. jose (Node,
/// tests/peers/verify-jwt.mjs), which shares no code with ours, verifies a JWT the same credential
/// sent through <c>send</c> with the printed key, in each format.
/// </summary>
[NonParallelizable]
public sealed class CliPublicKeyTests
{
    private const string Audience = "https://partner.example.com";
    private CliHarness world = null!;
    private JoseVerifier jose = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        jose = await JoseVerifier.StartAsync();
        world = await CliHarness.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (world is not null)
        {
            await world.DisposeAsync();
        }

        if (jose is not null)
        {
            await jose.DisposeAsync();
        }
    }

    [TestCase("partner", "ES256", "k1")]
    [TestCase("partner-rsa", "RS256", "r1")]
    public async Task Jose_verifies_a_JWT_the_credential_sent_with_the_printed_key_in_every_format(string credential, string algorithm, string keyId)
    {
        var token = await SentJwtAsync(credential);

        foreach (var format in (string[])["pem", "jwk", "jwks"])
        {
            var key = await PublicKeyAsync(credential, format);
            var verdict = await jose.VerifyAsync(format == "jwk" ? new JsonObject { ["keys"] = new JsonArray(JsonNode.Parse(key)) }.ToJsonString() : key, token, Audience, "atomic");

            Assert.Multiple(() =>
            {
                Assert.That(verdict["valid"]!.GetValue<bool>(), Is.True, format + ": " + verdict.ToJsonString());
                Assert.That(verdict["header"]!["alg"]!.GetValue<string>(), Is.EqualTo(algorithm));
                Assert.That(verdict["header"]!["kid"]!.GetValue<string>(), Is.EqualTo(keyId));
                Assert.That(verdict["payload"]!["sub"]!.GetValue<string>(), Is.EqualTo("cli"));
            });
        }
    }

    [TestCase("partner", "partner-rsa")]
    [TestCase("partner-rsa", "partner")]
    public async Task Another_credentials_public_key_does_not_verify_the_JWT(string signer, string other)
    {
        var token = await SentJwtAsync(signer);

        foreach (var format in (string[])["pem", "jwks"])
        {
            var verdict = await jose.VerifyAsync(await PublicKeyAsync(other, format), token, Audience, "atomic");

            Assert.That(verdict["valid"]!.GetValue<bool>(), Is.False, format + ": " + verdict.ToJsonString());
        }
    }

    [TestCase("jwk")]
    [TestCase("jwks")]
    public async Task A_JWK_holds_the_public_parameters_only(string format)
    {
        foreach (var credential in (string[])["partner", "partner-rsa"])
        {
            var printed = JsonNode.Parse(await PublicKeyAsync(credential, format))!;
            var jwk = format == "jwks" ? printed["keys"]![0]!.AsObject() : printed.AsObject();

            // d is the private exponent (EC and RSA); p, q, dp, dq, qi the RSA private factors.
            Assert.That(jwk.Select(p => p.Key), Has.None.AnyOf("d", "p", "q", "dp", "dq", "qi"), jwk.ToJsonString());
        }
    }

    [Test]
    public async Task Pem_is_the_public_half_of_the_configured_key()
    {
        Assert.That(await PublicKeyAsync("partner", "pem"), Is.EqualTo(world.PartnerKey.ExportSubjectPublicKeyInfoPem() + "\n"));
        Assert.That(await PublicKeyAsync("partner-rsa", "pem"), Is.EqualTo(world.RsaPartnerKey.ExportSubjectPublicKeyInfoPem() + "\n"));
    }

    [Test]
    public async Task Public_key_refuses_a_credential_of_another_kind()
    {
        var run = await CliHarness.RunAsync("public-key", "--config", world.ConfigPath, "legacy");

        Assert.That(run.Code, Is.EqualTo(2), run.ToString());
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Over_a_store_public_key_prints_what_it_prints_for_the_configured_credential()
    {
        var store = Path.Combine(Path.GetDirectoryName(world.ConfigPath)!, "public-key", "credentials.db");
        var imported = await CliHarness.ImportAsync(world.ConfigPath, store, "partner", "partner-rsa", "legacy");
        Assert.That(imported.Code, Is.Zero, imported.ToString());

        foreach (var credential in (string[])["partner", "partner-rsa"])
        {
            foreach (var format in (string[])["pem", "jwk", "jwks"])
            {
                var saved = await CliHarness.RunAsync("public-key", "--store", store, credential, "--format", format);

                Assert.That(saved.Code, Is.Zero, saved.ToString());
                Assert.That(saved.Out, Is.EqualTo(await PublicKeyAsync(credential, format)), $"{credential} {format}");
                world.AssertNoSecret(saved);
            }
        }

        var otherKind = await CliHarness.RunAsync("public-key", "--store", store, "legacy");
        var missing = await CliHarness.RunAsync("public-key", "--store", store, "no-such-credential");
        Assert.That(otherKind.Code, Is.EqualTo(2), otherKind.ToString());
        Assert.That(missing.Code, Is.EqualTo(3), missing.ToString());
        Assert.That(missing.Error, Does.Contain("no-such-credential"));
        world.AssertNoSecret(otherKind);
    }

    // The JWT the credential made, as the API's /jwt endpoint received it from 'send'.
    private async Task<string> SentJwtAsync(string credential)
    {
        var sent = await CliHarness.RunAsync("send", "--config", world.ConfigPath, credential, "GET", world.At("/jwt").AbsoluteUri);
        Assert.That(sent.Code, Is.Zero, sent.ToString());
        world.AssertNoSecret(sent);
        return world.LastJwt!;
    }

    private async Task<string> PublicKeyAsync(string credential, string format)
    {
        var run = await CliHarness.RunAsync("public-key", "--config", world.ConfigPath, credential, "--format", format);
        Assert.That(run.Code, Is.Zero, run.ToString());
        world.AssertNoSecret(run);
        return run.Out;
    }
}
