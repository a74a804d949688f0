using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Integrations;

/// <summary>
/// The S3Bucket preset, registered from configuration as a user would, against a real S3 server
/// that verifies every SigV4 signature (npm @20minutes/s3rver on 127.0.0.1, path style).
/// </summary>
[NonParallelizable]
public sealed class S3BucketTests
{
    private PeerProcess peer = null!;
    private ServiceProvider services = null!;
    private string bucketName = null!;
    private int port;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> sent = new();

    [OneTimeSetUp]
    public async Task StartServer()
    {
        // s3rver makes its ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3) only
        // offers through the legacy provider: without it, the second page of a listing is a 500.
        peer = await PeerProcess.StartNodeAsync(
            "s3-server.mjs",
            ["AKIDPRESETTEST", "preset/secret+KEY", "exports-bucket"],
            new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" });
        using var ready = JsonDocument.Parse(peer.ReadyLine);
        port = ready.RootElement.GetProperty("port").GetInt32();
        bucketName = ready.RootElement.GetProperty("bucket").GetString()!;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:exports:Type"] = "S3Bucket",
            ["AtomicCredentials:exports:BucketName"] = bucketName,
            ["AtomicCredentials:exports:Region"] = "us-east-1",
            ["AtomicCredentials:exports:AccessKeyId"] = "AKIDPRESETTEST",
            ["AtomicCredentials:exports:SecretAccessKey"] = "preset/secret+KEY",
            ["AtomicCredentials:exports:ServiceUrl"] = $"http://127.0.0.1:{port}",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        collection.AddHttpClient("exports").AddAtomicCredentialHandler("exports").AddHttpMessageHandler(() => new Recorder(sent));
        services = collection.BuildServiceProvider();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        if (peer is not null)
        {
            await peer.DisposeAsync();
        }
    }

    [Test]
    public void The_client_gets_the_bucket_as_its_base_address()
    {
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("exports");
        Assert.That(client.BaseAddress, Is.EqualTo(new Uri($"http://127.0.0.1:{port}/{bucketName}/")));
    }

    [Test]
    public async Task A_100_MB_file_is_put_streamed_with_flat_memory_and_read_back()
    {
        using var bucket = S3BucketClient.Create(services, "exports");
        var path = Path.Combine(Path.GetTempPath(), "atomic-s3-" + Guid.NewGuid().ToString("N"));
        const long size = 100L * 1024 * 1024;
        byte[] expectedHash;
        await using (var file = File.Create(path))
        {
            // Random blocks, so nothing in the path can compress or dedupe them.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var block = new byte[1024 * 1024];
            for (var i = 0; i < size / block.Length; i++)
            {
                RandomNumberGenerator.Fill(block);
                hash.AppendData(block);
                await file.WriteAsync(block);
            }

            expectedHash = hash.GetHashAndReset();
        }

        try
        {
            GC.Collect();
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var workingSetBefore = process.WorkingSet64;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var etag = await bucket.PutFileAsync("exports/2026/big.bin", path, "application/octet-stream");
            var putTime = clock.Elapsed;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            process.Refresh();
            var peakGrowth = process.PeakWorkingSet64 - workingSetBefore;
            TestContext.Out.WriteLine($"PUT 100 MiB streamed: {putTime.TotalSeconds:0.00} s, allocated {allocated / 1024.0:0} KiB, peak working set growth {peakGrowth / 1024.0 / 1024.0:0.0} MiB");

            Assert.That(etag, Is.Not.Null);
            Assert.That(allocated, Is.LessThan(8 * 1024 * 1024), "bytes allocated while putting 100 MiB");

            using var response = await bucket.GetObjectAsync("exports/2026/big.bin");
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(size));
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.That(await SHA256.HashDataAsync(body), Is.EqualTo(expectedHash));
        }
        finally
        {
            File.Delete(path);
            await bucket.DeleteObjectAsync("exports/2026/big.bin");
        }
    }

    [Test]
    public async Task A_file_above_the_threshold_goes_up_in_parts_and_reads_back_whole()
    {
        using var bucket = S3BucketClient.Create(services, "exports");
        bucket.MultipartThreshold = 8L * 1024 * 1024;
        bucket.PartSize = 5L * 1024 * 1024;
        var path = Path.Combine(Path.GetTempPath(), "atomic-s3-parts-" + Guid.NewGuid().ToString("N"));
        var bytes = RandomNumberGenerator.GetBytes((12 * 1024 * 1024) + 3); // parts of 5, 5 and 2 MiB + 3 bytes
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            sent.Clear();
            var etag = await bucket.PutFileAsync("parts/big.bin", path, "application/x-parquet");

            var steps = sent.Select(step => System.Text.RegularExpressions.Regex.Replace(step, "uploadId=[^&]+", "uploadId=ID")).ToArray();
            Assert.That(steps, Is.EqualTo(new[]
            {
                "POST ?uploads",
                "PUT ?partNumber=1&uploadId=ID",
                "PUT ?partNumber=2&uploadId=ID",
                "PUT ?partNumber=3&uploadId=ID",
                "POST ?uploadId=ID",
            }));
            Assert.That(etag, Is.Not.Null.And.Not.Empty);
            using var response = await bucket.GetObjectAsync("parts/big.bin");
            Assert.Multiple(async () =>
            {
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-parquet"));
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            });
        }
        finally
        {
            File.Delete(path);
            await bucket.DeleteObjectAsync("parts/big.bin");
        }
    }

    [Test]
    public async Task Objects_are_listed_by_prefix_page_by_page_fetched_presigned_and_deleted()
    {
        using var bucket = S3BucketClient.Create(services, "exports");
        string[] keys = ["daily/2026-11-01.csv", "daily/2026-11-02.csv", "daily/a+b c.csv", "daily/ü/日本.csv", "daily/x.csv", "daily/y.csv", "daily/z.csv"];
        foreach (var key in keys)
        {
            await bucket.PutObjectAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("rows of " + key)), "text/csv");
        }

        await bucket.PutObjectAsync("monthly/2026-11.csv", new MemoryStream("other"u8.ToArray()), "text/csv");

        var listed = new List<S3ObjectInfo>();
        await foreach (var item in bucket.ListObjectsAsync("daily/", pageSize: 3))
        {
            listed.Add(item);
        }

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(o => o.Key), Is.EquivalentTo(keys));
            Assert.That(listed.Select(o => o.Size), Is.EqualTo(listed.Select(o => (long)Encoding.UTF8.GetByteCount("rows of " + o.Key))));
        });

        using (var get = await bucket.GetObjectAsync("daily/a+b c.csv"))
        {
            Assert.That(get.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
            Assert.That(await get.Content.ReadAsStringAsync(), Is.EqualTo("rows of daily/a+b c.csv"));
        }

        // A presigned URL works from a client with no credential at all.
        var url = await bucket.PresignDownloadAsync("daily/ü/日本.csv", TimeSpan.FromMinutes(5));
        using (var anonymous = new HttpClient())
        {
            Assert.That(url.Query, Does.Contain("X-Amz-Signature=").And.Contain("X-Amz-Expires=300"));
            Assert.That(await anonymous.GetStringAsync(url), Is.EqualTo("rows of daily/ü/日本.csv"));
            using var tampered = await anonymous.GetAsync(new Uri(url.AbsoluteUri.Replace("X-Amz-Expires=300", "X-Amz-Expires=600", StringComparison.Ordinal)));
            Assert.That(tampered.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        foreach (var key in keys.Append("monthly/2026-11.csv"))
        {
            await bucket.DeleteObjectAsync(key);
        }

        var error = Assert.ThrowsAsync<HttpRequestException>(() => bucket.GetObjectAsync("daily/x.csv"));
        Assert.Multiple(async () =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(error.Message, Does.Contain("NoSuchKey"));
            Assert.That(await bucket.ListObjectsAsync("daily/").CountAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task A_wrong_secret_fails_with_S3s_error_code_and_never_shows_the_secret()
    {
        using var bucket = new S3BucketClient(new S3BucketOptions
        {
            BucketName = bucketName,
            Region = "us-east-1",
            AccessKeyId = "AKIDPRESETTEST",
            SecretAccessKey = "not-the/secret+KEY",
            ServiceUrl = $"http://127.0.0.1:{port}",
        });

        var error = Assert.ThrowsAsync<HttpRequestException>(() => bucket.PutObjectAsync("x.txt", new MemoryStream("x"u8.ToArray())));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(error.Message, Does.Contain("SignatureDoesNotMatch").And.Not.Contain("not-the/secret+KEY"));
        });
        await Task.CompletedTask;
    }

    /// <summary>Records each signed request's method and query as it leaves for the server.</summary>
    private sealed class Recorder(System.Collections.Concurrent.ConcurrentQueue<string> sent) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Enqueue($"{request.Method} {request.RequestUri!.Query}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
