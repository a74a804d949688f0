using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Store;

/// <summary>
/// What a saved credential lends without handing its secret back: the public half of a key pair
/// (<see cref="KeyPairPublicKey.FromSavedAsync"/>) and presigned URLs of an AWS credential
/// (<see cref="AwsRequestPresigner.FromSavedAsync"/>), the same as from the definition's own options
/// or the same credential configured.
/// </summary>
public sealed class SavedKeyMaterialTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> EveryKind() => SavedDefinitions.All().Select(saved => new TestCaseData(saved));

    [TestCaseSource(nameof(EveryKind))]
    public async Task A_saved_key_pair_gives_the_public_key_of_its_private_key_and_nothing_else_gives_one(SavedDefinition saved)
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/x", saved.Definition);

        if (saved.Type != "KeyPair")
        {
            var refused = Assert.ThrowsAsync<CredentialException>(async () => await KeyPairPublicKey.FromSavedAsync(harness.Store, "acme/x"));
            Assert.That(refused!.Message, Does.Contain(saved.Type).And.Contain("acme/x"));
            AssertNoMarker(saved, refused.Message);
            return;
        }

        var key = await KeyPairPublicKey.FromSavedAsync(harness.Store, "acme/x");

        var expected = KeyPairPublicKey.FromOptions(new KeyPairOptions
        {
            PrivateKey = Field(saved, "PrivateKey")!, Passphrase = Field(saved, SavedDefinitions.KeyPassphraseField),
            Algorithm = Field(saved, "Algorithm")!, KeyId = Field(saved, "KeyId"),
        });
        Assert.That(key.ToJwks(), Is.EqualTo(expected.ToJwks()));
        Assert.That(key.ToPem(), Is.EqualTo(expected.ToPem()));
        AssertNoMarker(saved, key.ToPem() + key.ToJwks() + key);
    }

    [TestCaseSource(nameof(EveryKind))]
    public async Task A_saved_AWS_credential_presigns_as_its_options_do_and_nothing_else_presigns(SavedDefinition saved)
    {
        using var harness = new StoreHarness();
        await harness.Store.SaveAsync("acme/x", saved.Definition);
        var clock = new FakeTimeProvider(Now);
        var url = new Uri("https://my-bucket.s3.eu-west-1.amazonaws.com/daily/report.csv");

        if (saved.Type is not ("AwsSignedRequest" or "S3Bucket"))
        {
            var refused = Assert.ThrowsAsync<CredentialException>(async () => await AwsRequestPresigner.FromSavedAsync(harness.Store, "acme/x", clock));
            Assert.That(refused!.Message, Does.Contain(saved.Type).And.Contain("acme/x"));
            AssertNoMarker(saved, refused.Message);
            return;
        }

        var presigner = await AwsRequestPresigner.FromSavedAsync(harness.Store, "acme/x", clock);
        var presigned = await presigner.PresignAsync(HttpMethod.Get, url, TimeSpan.FromMinutes(10));

        var expected = await new AwsRequestPresigner(
            new AwsSignedRequestOptions
            {
                AccessKeyId = Field(saved, "AccessKeyId"), SecretAccessKey = Field(saved, "SecretAccessKey"),
                SessionToken = Field(saved, "SessionToken"), Region = Field(saved, "Region") ?? string.Empty,
                Service = saved.Type == "S3Bucket" ? "s3" : Field(saved, "Service")!,
                SigningAlgorithm = Field(saved, "SigningAlgorithm") is { } algorithm ? Enum.Parse<AwsSigningAlgorithm>(algorithm) : AwsSigningAlgorithm.SigV4,
                RegionSet = saved.Definition.TryGetProperty("RegionSet", out var regions) ? regions.EnumerateArray().Select(region => region.GetString()!).ToList() : [],
            },
            "acme/x", clock).PresignAsync(HttpMethod.Get, url, TimeSpan.FromMinutes(10));
        if (Field(saved, "SigningAlgorithm") == "SigV4a")
        {
            // ECDSA signatures are randomized: everything but the signature itself is the same.
            Assert.That(WithoutSignature(presigned), Is.EqualTo(WithoutSignature(expected)));
            Assert.That(presigned.Query, Does.Contain("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256").And.Contain("X-Amz-Region-Set="));
        }
        else
        {
            Assert.That(presigned, Is.EqualTo(expected));
        }

        Assert.That(presigned.Query, Does.Not.Contain(Field(saved, "SecretAccessKey")));
    }

    [Test]
    public async Task A_configured_bucket_presigns_as_the_same_bucket_saved()
    {
        using var harness = new StoreHarness();
        var bucket = SavedDefinitions.All().Single(saved => saved.Type == "S3Bucket");
        await harness.Store.SaveAsync("acme/exports", bucket.Definition);
        var clock = new FakeTimeProvider(Now);
        var url = new Uri("https://my-bucket.s3.eu-west-1.amazonaws.com/daily/report.csv");
        using var services = new ServiceCollection()
            .AddAtomicCredential("acme/exports", (S3BucketOptions o) =>
            {
                o.BucketName = Field(bucket, "BucketName")!;
                o.Region = Field(bucket, "Region")!;
                o.AccessKeyId = Field(bucket, "AccessKeyId");
                o.SecretAccessKey = Field(bucket, "SecretAccessKey");
                o.SessionToken = Field(bucket, "SessionToken");
            })
            .BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<S3BucketOptions>>();

        var fromConfigured = await new AwsRequestPresigner(monitor, "acme/exports", clock).PresignAsync(HttpMethod.Put, url, TimeSpan.FromMinutes(5));
        var fromSaved = await (await AwsRequestPresigner.FromSavedAsync(harness.Store, "acme/exports", clock)).PresignAsync(HttpMethod.Put, url, TimeSpan.FromMinutes(5));

        Assert.That(fromConfigured, Is.EqualTo(fromSaved));
        Assert.ThrowsAsync<CredentialException>(async () => await new AwsRequestPresigner(monitor, "acme/exports", clock).PresignAsync(HttpMethod.Get, new Uri("https://elsewhere.example.com/x")));
    }

    [Test]
    public async Task A_saved_bucket_presigns_for_its_own_host_only()
    {
        using var harness = new StoreHarness();
        var bucket = SavedDefinitions.All().Single(saved => saved.Type == "S3Bucket");
        await harness.Store.SaveAsync("acme/exports", bucket.Definition);
        var presigner = await AwsRequestPresigner.FromSavedAsync(harness.Store, "acme/exports");

        var refused = Assert.ThrowsAsync<CredentialException>(async () => await presigner.PresignAsync(HttpMethod.Get, new Uri("https://other-bucket.s3.eu-west-1.amazonaws.com/x")));

        Assert.That(refused!.Message, Does.Contain("other-bucket.s3.eu-west-1.amazonaws.com"));
        AssertNoMarker(bucket, refused.Message);
    }

    [Test]
    public void A_name_nothing_was_saved_under_is_a_credential_failure_naming_it()
    {
        using var harness = new StoreHarness();

        var key = Assert.ThrowsAsync<CredentialException>(async () => await KeyPairPublicKey.FromSavedAsync(harness.Store, "acme/none"));
        var presigner = Assert.ThrowsAsync<CredentialException>(async () => await AwsRequestPresigner.FromSavedAsync(harness.Store, "acme/none"));

        Assert.That(key!.CredentialName, Is.EqualTo("acme/none"));
        Assert.That(presigner!.Message, Does.Contain("No saved credential is named 'acme/none'"));
    }

    private static string WithoutSignature(Uri presigned) =>
        System.Text.RegularExpressions.Regex.Replace(presigned.AbsoluteUri, "&X-Amz-Signature=[0-9a-f]+", string.Empty);

    private static string? Field(SavedDefinition saved, string name) =>
        saved.Definition.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void AssertNoMarker(SavedDefinition saved, string text)
    {
        foreach (var marker in saved.Markers)
        {
            Assert.That(text, Does.Not.Contain(marker), "a secret was shown");
        }
    }
}
