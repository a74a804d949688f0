using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Integrations;

/// <summary>What the S3 preset refuses before any request: keys a URL cannot carry, regions a host name cannot.</summary>
public sealed class S3BucketRulesTests
{
    [TestCase("a/../b")]
    [TestCase("../secrets.csv")]
    [TestCase("exports/./2026.csv")]
    [TestCase("..")]
    public void A_key_with_a_dot_segment_is_refused_before_it_can_address_another_object(string key)
    {
        var error = Assert.Throws<ArgumentException>(() => S3BucketClient.ObjectUri(key));

        Assert.That(error!.Message, Does.Contain("'.' or '..' segment"));
    }

    [TestCase("exports/2026/11/summary.csv", "exports/2026/11/summary.csv")]
    [TestCase("a..b/.hidden/c.", "a..b/.hidden/c.")]
    [TestCase("with space/ü+x", "with%20space/%C3%BC%2Bx")]
    public void Other_keys_keep_every_segment(string key, string expected)
    {
        Assert.That(S3BucketClient.ObjectUri(key).OriginalString, Is.EqualTo(expected));
    }

    [TestCase("eu-west-1.attacker.example")]
    [TestCase("eu-west-1#")]
    [TestCase("-eu-west-1")]
    public void A_region_that_is_not_one_host_label_names_the_field(string region)
    {
        var options = new S3BucketOptions { BucketName = "exports", Region = region, AccessKeyId = "AKIDRULES", SecretAccessKey = "rules/secret" };

        var error = Assert.Throws<OptionsValidationException>(() => _ = new S3BucketClient(options, "bucket"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'bucket' (S3Bucket): Region must be an AWS region name"));
            Assert.That(error.Message, Does.Not.Contain("rules/secret"));
        });
    }

    [Test]
    public void Signing_checks_run_under_the_preset_name_with_its_own_expiry_field()
    {
        var options = new S3BucketOptions
        {
            BucketName = "exports", Region = "eu-west-1", AccessKeyId = "AKIDRULES", SecretAccessKey = "rules/secret",
            PresignedUrlExpiry = TimeSpan.FromDays(8),
        };

        var error = Assert.Throws<OptionsValidationException>(() => _ = new S3BucketClient(options, "bucket"));

        Assert.That(error!.Message, Does.Contain("Credential 'bucket' (S3Bucket): PresignedUrlExpiry must be more than zero and at most 7 days"));
    }

    [Test]
    public void SigV4a_without_a_region_set_names_the_field_under_the_preset()
    {
        var options = new S3BucketOptions
        {
            BucketName = "exports", Region = "eu-west-1", AccessKeyId = "AKIDRULES", SecretAccessKey = "rules/secret",
            SigningAlgorithm = AwsSigningAlgorithm.SigV4a,
        };

        var error = Assert.Throws<OptionsValidationException>(() => _ = new S3BucketClient(options, "bucket"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'bucket' (S3Bucket): RegionSet is required with SigningAlgorithm SigV4a"));
            Assert.That(error.Message, Does.Not.Contain("rules/secret"));
        });
    }

    [Test]
    public async Task The_preset_signs_with_SigV4a_when_asked_and_the_signature_verifies()
    {
        var capture = new Support.Capture();
        var options = new S3BucketOptions
        {
            BucketName = "exports", Region = "eu-west-1", AccessKeyId = "AKIDRULES", SecretAccessKey = "rules/secret",
            SigningAlgorithm = AwsSigningAlgorithm.SigV4a, RegionSet = ["eu-*"],
        };
        using var bucket = new S3BucketClient(options, "bucket", capture.Mock);

        await bucket.DeleteObjectAsync("daily/old.csv");

        var sent = capture.Requests.Single();
        using var key = Aws.SigV4aReference.DerivedKey("AKIDRULES", "rules/secret");
        Assert.Multiple(() =>
        {
            Assert.That(Support.Capture.Header(sent, "X-Amz-Region-Set"), Is.EqualTo("eu-*"));
            Assert.That(Support.Capture.Header(sent, "Authorization"), Does.StartWith("AWS4-ECDSA-P256-SHA256 Credential=AKIDRULES/"));
            Assert.That(Aws.SigV4aReference.HeaderSignatureVerifies(sent, key), Is.True);
        });
    }
}
