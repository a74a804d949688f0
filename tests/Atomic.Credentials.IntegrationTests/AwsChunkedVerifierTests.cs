using System.Net;
using System.Security.Cryptography;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// aws-chunked uploads checked chunk by chunk by a verifier of our own (tests/peers/aws-chunked-verifier.mjs,
/// node:crypto): s3rver decodes the framing but checks no chunk signature. SigV4 (HMAC) and SigV4a (ECDSA,
/// verified with the public key the verifier derives from the secret by the spec's KDF).
/// </summary>
[NonParallelizable]
public sealed class AwsChunkedVerifierTests
{
    private const string Secret = "atomic/test+secret/KEY";

    private ChunkedVerifier verifier = null!;

    [OneTimeSetUp]
    public async Task StartVerifier() => verifier = await ChunkedVerifier.StartAsync(Secret);

    [OneTimeTearDown]
    public async Task StopVerifier()
    {
        if (verifier is not null)
        {
            await verifier.DisposeAsync();
        }
    }

    [TestCase(100L << 20, 64 * 1024)]
    [TestCase((3L << 20) + 5, 8192)]
    public async Task Every_chunk_of_a_body_that_cannot_be_rewound_verifies(long length, int chunkSize)
    {
        using var client = Client(chunkSize, corruptAt: null);
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;

        using var response = await client.PutAsync(new Uri(verifier.Bucket, "big.bin"), content);

        var (bytes, chunks, sha256) = await verifier.AcceptedAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(length));
            Assert.That(chunks, Is.EqualTo(((length + chunkSize - 1) / chunkSize) + 1));
            Assert.That(sha256, Is.EqualTo(GeneratedStream.Sha256(length)));
        });
    }

    [Test]
    public async Task A_1_GiB_body_that_cannot_be_rewound_streams_with_flat_memory()
    {
        const long length = 1L << 30;
        using var client = Client(64 * 1024, corruptAt: null);
        await PutGeneratedAsync(client, "warm-up.bin", 1L << 20);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage response;
        PeakMemory memory;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await using (memory = PeakMemory.Start())
        {
            response = await PutGeneratedAsync(client, "1gib.bin", length);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var seconds = clock.Elapsed.TotalSeconds;
        using (response)
        {
            TestContext.Out.WriteLine($"1 GiB aws-chunked, not seekable: {seconds:0.0} s ({1024 / seconds:0} MiB/s), {memory}, {allocated / 1048576.0:0.0} MiB allocated");
            var (bytes, _, sha256) = await verifier.AcceptedAsync(response);
            Assert.Multiple(() =>
            {
                Assert.That(bytes, Is.EqualTo(length));
                Assert.That(sha256, Is.EqualTo(GeneratedStream.Sha256(length)));
                Assert.That(memory.WorkingSetGrowth, Is.LessThan(16L << 20), "peak working set growth while sending 1 GiB");
            });
        }
    }

    [Test]
    public async Task One_altered_byte_in_a_chunk_is_rejected()
    {
        const long length = 1L << 20;
        using var client = Client(64 * 1024, corruptAt: 300_000);
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;

        using var response = await client.PutAsync(new Uri(verifier.Bucket, "altered.bin"), content);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("chunk signature"));
        });
    }

    [Test]
    public async Task Every_sigv4a_chunk_of_a_body_that_cannot_be_rewound_verifies()
    {
        const long length = 20L << 20;
        using var client = Client(64 * 1024, corruptAt: null, AwsSigningAlgorithm.SigV4a);

        using var response = await PutGeneratedAsync(client, "mrap.bin", length);

        var (bytes, chunks, sha256) = await verifier.AcceptedAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(length));
            Assert.That(chunks, Is.EqualTo((length / (64 * 1024)) + 1));
            Assert.That(sha256, Is.EqualTo(GeneratedStream.Sha256(length)));
        });
    }

    [Test]
    public async Task One_altered_byte_in_a_sigv4a_chunk_is_rejected()
    {
        using var client = Client(64 * 1024, corruptAt: 300_000, AwsSigningAlgorithm.SigV4a);

        using var response = await PutGeneratedAsync(client, "mrap-altered.bin", 1L << 20);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("chunk signature").And.Contain("does not verify"));
        });
    }

    private async Task<HttpResponseMessage> PutGeneratedAsync(HttpClient client, string key, long length)
    {
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;
        return await client.PutAsync(new Uri(verifier.Bucket, key), content);
    }

    private static HttpClient Client(int chunkSize, long? corruptAt, AwsSigningAlgorithm algorithm = AwsSigningAlgorithm.SigV4)
    {
        var options = new AwsSignedRequestOptions
        {
            AccessKeyId = "AKIDATOMICTEST", SecretAccessKey = Secret, Service = "s3", Region = "us-east-1", ChunkSize = chunkSize,
        };
        if (algorithm == AwsSigningAlgorithm.SigV4a)
        {
            (options.SigningAlgorithm, options.RegionSet, options.Region) = (algorithm, ["*"], string.Empty);
        }

        HttpMessageHandler inner = new SocketsHttpHandler();
        if (corruptAt is { } offset)
        {
            inner = new CorruptingHandler(offset) { InnerHandler = inner };
        }

        return new HttpClient(new AwsSignatureHandler(options, "chunked") { InnerHandler = inner });
    }
}
