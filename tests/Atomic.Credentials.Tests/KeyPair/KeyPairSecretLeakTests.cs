using System.Net;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace Atomic.Credentials.Tests.KeyPair;

/// <summary>
/// Drives the key-pair credential through signing, a 401 retry, a refused host and every kind of
/// bad key with logging at Trace, and scans every line, tag, message and ToString for the private
/// key, its passphrase and the JWTs sent.
/// </summary>
public sealed class KeyPairSecretLeakTests
{
    [Test]
    public async Task Nothing_the_key_pair_credential_prints_contains_the_key_the_passphrase_or_a_JWT()
    {
        using var recorder = new TelemetryRecorder();
        var encrypted = TestKeys.EncryptedPkcs8("ES256");
        var plain = TestKeys.Pkcs8("ES256");
        var sent = new List<string>();
        var mock = new MockHttpMessageHandler();
        var status = HttpStatusCode.Unauthorized;
        mock.When("*").Respond(request =>
        {
            sent.Add(KeyPairJwtHandlerTests.Bearer(request));
            var answer = new HttpResponseMessage(status);
            status = HttpStatusCode.OK;
            return answer;
        });
        var services = new ServiceCollection();
        services.AddSingleton(recorder.LoggerFactory());
        services.AddAtomicCredential("partner", (KeyPairOptions o) =>
        {
            o.PrivateKey = encrypted;
            o.Passphrase = TestKeys.Passphrase;
            o.Algorithm = "ES256";
            o.Issuer = "atomic";
            o.AllowedHosts = ["partner.example.com"];
        });
        services.AddHttpClient("partner").AddAtomicCredentialHandler("partner").ConfigurePrimaryHttpMessageHandler(() => mock);
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("partner");
            await client.GetAsync(new Uri("https://partner.example.com/a"));
            await recorder.AddFailureAsync(() => client.GetAsync(new Uri("https://evil.example.net/")));
        }

        // Start-up validation with a wrong passphrase, and DI-free validation of every bad form.
        await recorder.AddFailureAsync(async () =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AtomicCredentials:bad:Type"] = "KeyPair",
                ["AtomicCredentials:bad:PrivateKey"] = encrypted,
                ["AtomicCredentials:bad:Passphrase"] = TestKeys.Passphrase + "-wrong",
                ["AtomicCredentials:bad:Algorithm"] = "ES256",
                ["AtomicCredentials:bad:Issuer"] = "atomic",
            });
            builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
            using var host = builder.Build();
            await host.StartAsync();
        });
        foreach (var badKey in new[] { plain[..100] + "#" + plain[100..], TestKeys.Body(plain), plain.Replace("PRIVATE", "PUBLIC", StringComparison.Ordinal) })
        {
            await recorder.AddFailureAsync(() =>
            {
                _ = new KeyPairJwtHandler(new KeyPairOptions { PrivateKey = badKey, Algorithm = "ES256", Issuer = "atomic" });
                return Task.CompletedTask;
            });
        }

        recorder.Add(KeyPairPublicKey.FromOptions(new KeyPairOptions { PrivateKey = plain, Algorithm = "ES256" }).ToString());
        recorder.Add(new KeyPairOptions { PrivateKey = plain, Passphrase = TestKeys.Passphrase }.ToString());

        var everything = recorder.Everything();
        var secrets = TestKeys.Body(encrypted).Chunk(32).Concat(TestKeys.Body(plain).Chunk(32)).Select(chunk => new string(chunk))
            .Append(TestKeys.Passphrase)
            .Concat(sent.SelectMany(jwt => jwt.Split('.').Skip(1)))
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(2), "signed, rejected, signed again");
            Assert.That(everything, Has.Some.Contains("signed a new ES256 JWT"), "the scan must see the kind's own lines");
            Assert.That(everything, Has.Some.Contains("Passphrase could not be decrypted"));
            Assert.That(everything, Has.Some.Contains("Authorization: *"), "IHttpClientFactory's header log must show the JWT redacted");
            foreach (var secret in secrets)
            {
                Assert.That(everything.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..4]}…");
            }
        });
    }
}
