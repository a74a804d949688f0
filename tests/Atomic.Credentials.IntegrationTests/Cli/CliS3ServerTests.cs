using System.Net;
using System.Text.Json.Nodes;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary>
/// <c>send</c> and <c>presign</c> with an AWS credential and the S3Bucket preset against a real S3 server that verifies every
/// signature (s3rver, tests/peers/s3-server.mjs): what the tool signs, S3 accepts.
/// </summary>
[NonParallelizable]
public sealed class CliS3ServerTests
{
    private S3Peer? s3;
    private Uri bucket = null!;
    private string secret = null!;
    private string config = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        s3 = await S3Peer.StartAsync();
        (bucket, secret) = (s3.Bucket, s3.SecretAccessKey);
        var accessKeyId = s3.AccessKeyId;
        config = Path.Combine(Path.GetTempPath(), "atomic-cli-s3-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["AtomicCredentials"] = new JsonObject
            {
                ["s3"] = new JsonObject
                {
                    ["Type"] = "AwsSignedRequest", ["AccessKeyId"] = accessKeyId,
                    ["SecretAccessKey"] = secret, ["Service"] = "s3", ["Region"] = "us-east-1",
                },
                ["exports"] = Bucket(secret),
                ["exports-forged"] = Bucket("not-" + secret),
            },
        }.ToJsonString());

        // The S3Bucket preset on s3rver's bucket, path style under its address.
        JsonObject Bucket(string secretAccessKey) => new()
        {
            ["Type"] = "S3Bucket", ["BucketName"] = bucket.Segments[^1], ["Region"] = "us-east-1",
            ["AccessKeyId"] = accessKeyId, ["SecretAccessKey"] = secretAccessKey,
            ["ServiceUrl"] = bucket.GetLeftPart(UriPartial.Authority),
        };
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (config is not null)
        {
            File.Delete(config);
        }

        if (s3 is not null)
        {
            await s3.DisposeAsync();
        }
    }

    [Test]
    public async Task Send_puts_and_gets_an_object_and_a_presigned_URL_reads_it_without_a_credential()
    {
        var key = new Uri($"{bucket}/cli/report {Guid.NewGuid():N}.txt");

        var put = await CliHarness.RunAsync("send", "--config", config, "s3", "PUT", key.AbsoluteUri, "-d", "from the tool", "-H", "Content-Type: text/plain", "-v");
        Assert.That(put.Code, Is.Zero, put.ToString());
        Assert.That(put.Out + put.Error, Does.Not.Contain(secret));

        var get = await CliHarness.RunAsync("send", "--config", config, "s3", "GET", key.AbsoluteUri);
        Assert.That(get.Code, Is.Zero, get.ToString());
        Assert.That(get.Out, Is.EqualTo("from the tool"));

        var presigned = await CliHarness.RunAsync("presign", "--config", config, "s3", key.AbsoluteUri, "--expires", "5m");
        Assert.That(presigned.Code, Is.Zero, presigned.ToString());
        using var anonymous = new HttpClient();
        using var response = await anonymous.GetAsync(new Uri(presigned.Out.Trim()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("from the tool"));

        // The same URL with its signature altered is refused: the acceptance above is S3 checking it.
        var tampered = presigned.Out.Trim()[..^1] + (presigned.Out.Trim()[^1] == '0' ? '1' : '0');
        using var refused = await anonymous.GetAsync(new Uri(tampered));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Send_with_the_S3Bucket_preset_puts_and_gets_an_object_by_its_key_alone()
    {
        var key = $"cli/preset {Guid.NewGuid():N}.txt";
        var body = "through the bucket preset " + Guid.NewGuid().ToString("N");

        var put = await CliHarness.RunAsync("send", "--config", config, "exports", "PUT", key, "-d", body, "-H", "Content-Type: text/plain", "-v");
        Assert.That(put.Code, Is.Zero, put.ToString());
        Assert.That(put.Error, Does.Contain("> PUT " + new Uri(bucket + "/" + key).AbsoluteUri + Environment.NewLine), "the key was not resolved against the bucket's address");
        Assert.That(put.Error, Does.Contain("> Authorization: AWS4-HMAC-SHA256 …("));
        Assert.That(put.Out + put.Error, Does.Not.Contain(secret));

        var get = await CliHarness.RunAsync("send", "--config", config, "exports", "GET", key);
        Assert.That(get.Code, Is.Zero, get.ToString());
        Assert.That(get.Out, Is.EqualTo(body));

        var presigned = await CliHarness.RunAsync("presign", "--config", config, "exports", new Uri(bucket + "/" + key).AbsoluteUri, "--expires", "5m");
        Assert.That(presigned.Code, Is.Zero, presigned.ToString());
        using (var anonymous = new HttpClient())
        using (var download = await anonymous.GetAsync(new Uri(presigned.Out.Trim())))
        {
            Assert.That(await download.Content.ReadAsStringAsync(), Is.EqualTo(body), "s3rver did not accept the preset's presigned URL");
        }

        // s3rver checks every signature: the same preset with another secret is refused (HTTP error, exit 1).
        var forged = await CliHarness.RunAsync("send", "--config", config, "exports-forged", "GET", key);
        Assert.That(forged.Code, Is.EqualTo(1), forged.ToString());
        Assert.That(forged.Out, Does.Contain("SignatureDoesNotMatch"));
    }

    [Test]
    public async Task Over_a_store_send_puts_by_key_and_presign_yields_URLs_s3rver_accepts_for_a_saved_AWS_credential_and_a_saved_bucket()
    {
        var store = Path.Combine(Path.GetDirectoryName(config)!, "atomic-cli-s3-store-" + Guid.NewGuid().ToString("N"), "credentials.db");
        try
        {
            var imported = await CliHarness.ImportAsync(config, store, "s3", "exports");
            Assert.That(imported.Code, Is.Zero, imported.ToString());
            var relative = $"cli/saved {Guid.NewGuid():N}.txt";
            var key = new Uri($"{bucket}/{relative}");

            // The saved bucket's address comes from its definition: the key alone is enough.
            var put = await CliHarness.RunAsync("send", "--store", store, "exports", "PUT", relative, "-d", "saved and presigned", "-v");
            Assert.That(put.Code, Is.Zero, put.ToString());
            Assert.That(put.Error, Does.Contain("> PUT " + key.AbsoluteUri + Environment.NewLine));

            foreach (var credential in (string[])["s3", "exports"])
            {
                var presigned = await CliHarness.RunAsync("presign", "--store", store, credential, key.AbsoluteUri, "--expires", "5m");
                Assert.That(presigned.Code, Is.Zero, presigned.ToString());
                Assert.That(presigned.Out, Does.Not.Contain(secret));

                using var anonymous = new HttpClient();
                using var response = await anonymous.GetAsync(new Uri(presigned.Out.Trim()));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), credential + ": " + await response.Content.ReadAsStringAsync());
                Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("saved and presigned"));
            }

            // A saved bucket presigns for its own bucket only, as its handler signs.
            var elsewhere = await CliHarness.RunAsync("presign", "--store", store, "exports", "https://elsewhere.example.com/x");
            Assert.That(elsewhere.Code, Is.EqualTo(3), elsewhere.ToString());
            Assert.That(elsewhere.Out + elsewhere.Error, Does.Not.Contain(secret));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(store)!, recursive: true);
        }
    }
}
