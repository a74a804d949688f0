using System.Net;
using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// Our SigV4 against a real S3 server that verifies every signature (npm @20minutes/s3rver,
/// started by tests/peers/s3-server.mjs on 127.0.0.1), header-signed and presigned.
/// </summary>
[NonParallelizable]
public sealed class S3ServerTests
{
    private static readonly string[] Keys = ["plain.txt", "with space/and more.txt", "a+b=c&d.txt", "ünïcødé/日本/ሴ.txt", "it's (1)!*.txt"];

    private S3Peer? s3;
    private Uri bucket = null!;
    private string accessKeyId = null!;
    private string secret = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        s3 = await S3Peer.StartAsync();
        (bucket, accessKeyId, secret) = (s3.Bucket, s3.AccessKeyId, s3.SecretAccessKey);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (s3 is not null)
        {
            await s3.DisposeAsync();
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Put_get_list_and_delete_objects_with_awkward_keys(bool signQuery)
    {
        using var client = Client(o => o.SignQuery = signQuery);
        var prefix = signQuery ? "query/" : "header/";
        foreach (var key in Keys)
        {
            using var put = await client.PutAsync(ObjectUri(prefix + key), new StringContent("content of " + key, Encoding.UTF8, "text/plain"));
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(put));
        }

        foreach (var key in Keys)
        {
            using var get = await client.GetAsync(ObjectUri(prefix + key));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(get));
            Assert.That(await get.Content.ReadAsStringAsync(), Is.EqualTo("content of " + key));
        }

        using (var list = await client.GetAsync(new Uri($"{bucket}?list-type=2&prefix={Uri.EscapeDataString(prefix)}&max-keys=100")))
        {
            var xml = await list.Content.ReadAsStringAsync();
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK), xml);
            Assert.That(xml, Does.Contain("<KeyCount>" + Keys.Length + "</KeyCount>"));
        }

        foreach (var key in Keys)
        {
            using var delete = await client.DeleteAsync(ObjectUri(prefix + key));
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await Explain(delete));
            using var gone = await client.GetAsync(ObjectUri(prefix + key));
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    [Test]
    public async Task Presigned_urls_work_without_any_credential_on_the_client()
    {
        var presigner = new AwsRequestPresigner(Options(), "s3");
        using var plain = new HttpClient();
        var key = "presigned/ü and +.txt";

        using var put = await plain.PutAsync(await presigner.PresignAsync(HttpMethod.Put, ObjectUri(key), TimeSpan.FromMinutes(5)), new StringContent("shared"));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(put));
        using var get = await plain.GetAsync(await presigner.PresignAsync(HttpMethod.Get, ObjectUri(key), TimeSpan.FromMinutes(5)));
        Assert.That(await get.Content.ReadAsStringAsync(), Is.EqualTo("shared"));
        using var delete = await plain.DeleteAsync(await presigner.PresignAsync(HttpMethod.Delete, ObjectUri(key)));
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await Explain(delete));
    }

    [Test]
    public async Task A_presigned_upload_binds_the_headers_it_was_signed_with()
    {
        var presigner = new AwsRequestPresigner(Options(), "s3");
        using var template = new HttpRequestMessage(HttpMethod.Put, ObjectUri("presigned/typed.csv"));
        template.Headers.TryAddWithoutValidation("x-amz-meta-origin", "atomic");
        var url = await presigner.PresignAsync(template, TimeSpan.FromMinutes(5));
        using var plain = new HttpClient();

        using var same = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent("a,b") };
        same.Headers.TryAddWithoutValidation("x-amz-meta-origin", "atomic");
        using var accepted = await plain.SendAsync(same);
        using var other = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent("a,b") };
        other.Headers.TryAddWithoutValidation("x-amz-meta-origin", "someone-else");
        using var refused = await plain.SendAsync(other);

        Assert.Multiple(async () =>
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(accepted));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(template.RequestUri, Is.EqualTo(ObjectUri("presigned/typed.csv")), "presigning leaves the request as it was");
        });
    }

    [Test]
    public async Task A_streamed_file_upload_and_multi_valued_headers_are_accepted()
    {
        using var client = Client();
        var path = Path.GetTempFileName();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            await using (var file = File.OpenRead(path))
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, ObjectUri("big/file.bin")) { Content = new StreamContent(file) };
                // Two values go on the wire as one line, "x-amz-meta-tags:  first value , second one ": that line,
                // trimmed, is what the server signs ("first value , second one"), not the values trimmed one by one.
                // (s3rver trims but does not collapse runs of spaces as S3 does: the line has no run inside.)
                request.Headers.TryAddWithoutValidation("x-amz-meta-tags", new[] { " first value ", "second one " });
                using var put = await client.SendAsync(request);
                Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(put));
            }

            using var get = await client.GetAsync(ObjectUri("big/file.bin"));
            Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            Assert.That(get.Headers.GetValues("x-amz-meta-tags").Single(), Is.EqualTo("first value , second one"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase(1024 * 1024 + 17, 8192)]
    [TestCase(3 * 65536, 65536)]
    public async Task A_body_that_cannot_be_rewound_is_uploaded_as_signed_chunks_and_stored_as_sent(int length, int chunkSize)
    {
        var seen = new ContentHeaders();
        using var client = new HttpClient(new AwsSignatureHandler(Options(o => o.ChunkSize = chunkSize), "s3") { InnerHandler = seen });
        var bytes = RandomNumberGenerator.GetBytes(length);
        var content = new StreamContent(new ForwardOnlyStream(bytes));
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new("application/octet-stream");

        using var put = await client.PutAsync(ObjectUri($"chunked/{length}.bin"), content);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await Explain(put));

        using var get = await client.GetAsync(ObjectUri($"chunked/{length}.bin"));
        var stored = await get.Content.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Encoding, Is.EqualTo("aws-chunked"));
            Assert.That(seen.Sha256, Is.EqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(stored)), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_wrong_secret_is_rejected_and_the_403_reaches_the_caller(bool signQuery)
    {
        using var client = Client(o => (o.SecretAccessKey, o.SignQuery) = ("not-the-secret", signQuery));

        using var response = await client.GetAsync(new Uri($"{bucket}?list-type=2"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("SignatureDoesNotMatch"));
        });
    }

    private Uri ObjectUri(string key) =>
        new($"{bucket}/{string.Join("/", key.Split('/').Select(Uri.EscapeDataString))}");

    private AwsSignedRequestOptions Options(Action<AwsSignedRequestOptions>? configure = null)
    {
        var options = new AwsSignedRequestOptions { AccessKeyId = accessKeyId, SecretAccessKey = secret, Service = "s3", Region = "us-east-1" };
        configure?.Invoke(options);
        return options;
    }

    private HttpClient Client(Action<AwsSignedRequestOptions>? configure = null) =>
        new(new AwsSignatureHandler(Options(configure), "s3") { InnerHandler = new SocketsHttpHandler() });

    private async Task<string> Explain(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{s3?.Process.Output}";

    /// <summary>Records what the first signed PUT carried on the wire, then sends it.</summary>
    private sealed class ContentHeaders() : DelegatingHandler(new SocketsHttpHandler())
    {
        public string? Encoding { get; private set; }

        public string? Sha256 { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put)
            {
                Encoding = string.Join(", ", request.Content!.Headers.ContentEncoding);
                Sha256 = request.Headers.GetValues("x-amz-content-sha256").Single();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A body that can be read once, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Length => throw new NotSupportedException();
    }
}
