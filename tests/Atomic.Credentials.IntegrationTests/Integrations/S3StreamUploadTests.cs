using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.IntegrationTests.Integrations;

/// <summary>
/// <see cref="S3BucketClient.PutStreamAsync"/> against a real S3 server (s3rver on 127.0.0.1, which
/// verifies every signature and assembles multipart uploads): streams that cannot seek, of unknown
/// length, buffered one part at a time; the bytes read back are the bytes sent.
/// </summary>
[NonParallelizable]
public sealed partial class S3StreamUploadTests
{
    private const long Part = 5L << 20;

    private readonly ConcurrentQueue<string> sent = new();
    private S3Peer? s3;

    [OneTimeSetUp]
    public async Task StartServer() => s3 = await S3Peer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (s3 is not null)
        {
            await s3.DisposeAsync();
        }
    }

    [TestCase(0L)]
    [TestCase(1L)]
    [TestCase(Part - 1)]
    [TestCase(Part)]
    [TestCase(Part + 1)]
    [TestCase((3 * Part) + 17)]
    public async Task A_stream_that_cannot_seek_reads_back_whole(long size)
    {
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        using var bucket = Bucket();
        var key = $"stream/{size}.bin";
        sent.Clear();

        var etag = await bucket.PutStreamAsync(key, new GeneratedStream(size, seed), "application/x-ndjson");

        var parts = (size + Part - 1) / Part;
        string[] expected = size <= Part
            ? ["PUT "]
            : ["POST ?uploads", .. Enumerable.Range(1, (int)parts).Select(n => $"PUT ?partNumber={n}&uploadId=ID"), "POST ?uploadId=ID"];
        Assert.Multiple(() =>
        {
            Assert.That(etag, Is.Not.Null.And.Not.Empty);
            Assert.That(Steps(), Is.EqualTo(expected));
        });
        using var response = await bucket.GetObjectAsync(key);
        Assert.Multiple(async () =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(size));
            Assert.That(await SHA256.HashDataAsync(await response.Content.ReadAsStreamAsync()), Is.EqualTo(Convert.FromHexString(GeneratedStream.Sha256(size, seed))));
        });
        await bucket.DeleteObjectAsync(key);
    }

    [Test]
    public async Task A_long_stream_holds_one_part_in_memory_not_the_body()
    {
        const long size = 64L << 20;
        var seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        using var bucket = Bucket();
        using var warmUp = new MemoryStream(new byte[16]);
        await bucket.PutStreamAsync("stream/warm-up.bin", warmUp);

        // Allocated bytes over the whole upload bound what it held at any time from above: the buffer
        // is rented at most twice (1 MiB, then 5 MiB in the pool's 8 MiB bucket; nothing when the pool
        // holds them already), then every part reuses it. Buffering the body would take 64 MiB.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await bucket.PutStreamAsync("stream/long.bin", new GeneratedStream(size, seed));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"64 MiB in 13 parts of 5 MiB: {allocated / 1024.0 / 1024.0:0.0} MiB allocated");

        Assert.That(allocated, Is.LessThan(2 * 8L << 20), "bytes allocated while uploading 64 MiB in 5 MiB parts");
        using var response = await bucket.GetObjectAsync("stream/long.bin");
        Assert.That(await SHA256.HashDataAsync(await response.Content.ReadAsStreamAsync()), Is.EqualTo(Convert.FromHexString(GeneratedStream.Sha256(size, seed))));
        await bucket.DeleteObjectAsync("stream/long.bin");
    }

    [Test]
    public async Task A_seekable_stream_above_the_threshold_goes_up_in_parts_from_its_position()
    {
        using var bucket = Bucket();
        bucket.MultipartThreshold = 8L << 20;
        var bytes = RandomNumberGenerator.GetBytes((12 << 20) + 1000);
        using var stream = new MemoryStream(bytes) { Position = 1000 };
        sent.Clear();

        await bucket.PutStreamAsync("stream/seekable.bin", stream);

        Assert.That(Steps(), Is.EqualTo(new[]
        {
            "POST ?uploads", "PUT ?partNumber=1&uploadId=ID", "PUT ?partNumber=2&uploadId=ID", "PUT ?partNumber=3&uploadId=ID", "POST ?uploadId=ID",
        }));
        using var response = await bucket.GetObjectAsync("stream/seekable.bin");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[1000..]));
        await bucket.DeleteObjectAsync("stream/seekable.bin");
    }

    [Test]
    public async Task A_stream_that_fails_midway_aborts_the_upload_and_the_failure_is_the_callers()
    {
        using var bucket = Bucket();
        sent.Clear();

        var error = Assert.ThrowsAsync<IOException>(() => bucket.PutStreamAsync("stream/broken.bin", new GeneratedStream((3 * Part) + 5, 1, Fail)));

        Assert.That(error!.Message, Is.EqualTo("the source broke"));
        AssertAbortedAfter(parts: 2);
        await AssertNoObjectAsync(bucket, "stream/broken.bin");
    }

    [Test]
    public async Task A_cancelled_upload_is_aborted()
    {
        using var bucket = Bucket();
        using var cancellation = new CancellationTokenSource();
        sent.Clear();

        // The caller cancels while the second part is being read.
        var stream = new GeneratedStream(4 * Part, 2, position => { if (position > Part + (Part / 2)) { cancellation.Cancel(); } });
        Assert.CatchAsync<OperationCanceledException>(() => bucket.PutStreamAsync("stream/cancelled.bin", stream, cancellationToken: cancellation.Token));

        AssertAbortedAfter(parts: 1);
        await AssertNoObjectAsync(bucket, "stream/cancelled.bin");
    }

    // The source breaks while the third part is read.
    private static void Fail(long position)
    {
        if (position > (2 * Part) + 100)
        {
            throw new IOException("the source broke");
        }
    }

    private void AssertAbortedAfter(int parts)
    {
        var raw = sent.ToArray();
        var ids = raw.Select(step => UploadId().Match(step)).Where(match => match.Success).Select(match => match.Groups[1].Value).Distinct().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Steps(), Is.EqualTo(new[] { "POST ?uploads" }
                .Concat(Enumerable.Range(1, parts).Select(n => $"PUT ?partNumber={n}&uploadId=ID"))
                .Append("DELETE ?uploadId=ID")));
            Assert.That(ids, Has.Length.EqualTo(1), "the abort names the upload its parts went to");
        });
    }

    private static async Task AssertNoObjectAsync(S3BucketClient bucket, string key)
    {
        var error = Assert.ThrowsAsync<HttpRequestException>(() => bucket.GetObjectAsync(key));
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await Task.CompletedTask;
    }

    private string[] Steps() => sent.Select(step => UploadId().Replace(step, "uploadId=ID")).ToArray();

    private S3BucketClient Bucket()
    {
        var peer = s3!;
        var bucketName = peer.Bucket.AbsolutePath.Trim('/');
        return new S3BucketClient(
            new S3BucketOptions
            {
                BucketName = bucketName,
                Region = "us-east-1",
                AccessKeyId = peer.AccessKeyId,
                SecretAccessKey = peer.SecretAccessKey,
                ServiceUrl = peer.Bucket.GetLeftPart(UriPartial.Authority),
            },
            "stream-uploads",
            new Recorder(sent) { InnerHandler = new SocketsHttpHandler() })
        {
            PartSize = Part,
        };
    }

    [GeneratedRegex("uploadId=([^&]+)")]
    private static partial Regex UploadId();

    /// <summary>Records each signed request's method and query as it leaves for the server.</summary>
    private sealed class Recorder(ConcurrentQueue<string> sent) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Enqueue($"{request.Method} {request.RequestUri!.Query}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
