using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// aws-chunked uploads checked chunk by chunk by a verifier of our own (tests/peers/aws-chunked-verifier.mjs,
/// node:crypto): s3rver decodes the framing but checks no chunk signature.
/// </summary>
[NonParallelizable]
public sealed class AwsChunkedVerifierTests
{
    private const string Secret = "atomic/test+secret/KEY";

    private PeerProcess peer = null!;
    private Uri endpoint = null!;

    [OneTimeSetUp]
    public async Task StartVerifier()
    {
        peer = await PeerProcess.StartNodeAsync("aws-chunked-verifier.mjs", [Secret]);
        using var ready = JsonDocument.Parse(peer.ReadyLine);
        endpoint = new Uri($"http://127.0.0.1:{ready.RootElement.GetProperty("port").GetInt32()}/bucket/");
    }

    [OneTimeTearDown]
    public async Task StopVerifier()
    {
        if (peer is not null)
        {
            await peer.DisposeAsync();
        }
    }

    [TestCase(100L << 20, 64 * 1024)]
    [TestCase((3L << 20) + 5, 8192)]
    public async Task Every_chunk_of_a_body_that_cannot_be_rewound_verifies(long length, int chunkSize)
    {
        using var client = Client(chunkSize, corruptAt: null);
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;

        using var response = await client.PutAsync(new Uri(endpoint, "big.bin"), content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body + "\n" + peer.Output);
        using var result = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(result.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(length));
            Assert.That(result.RootElement.GetProperty("chunks").GetInt64(), Is.EqualTo(((length + chunkSize - 1) / chunkSize) + 1));
            Assert.That(result.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(GeneratedStream.Sha256(length)));
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
            var body = await response.Content.ReadAsStringAsync();
            TestContext.Out.WriteLine($"1 GiB aws-chunked, not seekable: {seconds:0.0} s ({1024 / seconds:0} MiB/s), {memory}, {allocated / 1048576.0:0.0} MiB allocated");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body + "\n" + peer.Output);
            using var result = JsonDocument.Parse(body);
            Assert.Multiple(() =>
            {
                Assert.That(result.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(length));
                Assert.That(result.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(GeneratedStream.Sha256(length)));
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

        using var response = await client.PutAsync(new Uri(endpoint, "altered.bin"), content);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("chunk signature"));
        });
    }

    private async Task<HttpResponseMessage> PutGeneratedAsync(HttpClient client, string key, long length)
    {
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;
        return await client.PutAsync(new Uri(endpoint, key), content);
    }

    private static HttpClient Client(int chunkSize, long? corruptAt)
    {
        var options = new AwsSignedRequestOptions
        {
            AccessKeyId = "AKIDATOMICTEST", SecretAccessKey = Secret, Service = "s3", Region = "us-east-1", ChunkSize = chunkSize,
        };
        HttpMessageHandler inner = new SocketsHttpHandler();
        if (corruptAt is { } offset)
        {
            inner = new Corrupting(offset) { InnerHandler = inner };
        }

        return new HttpClient(new AwsSignatureHandler(options, "chunked") { InnerHandler = inner });
    }

    /// <summary>Flips one byte of the body on its way to the socket, after it was signed.</summary>
    private sealed class Corrupting(long offset) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content = new FlippedContent(request.Content!, offset);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class FlippedContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly long offset;

        public FlippedContent(HttpContent inner, long offset)
        {
            this.inner = inner;
            this.offset = offset;
            foreach (var header in inner.Headers.NonValidated)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            inner.CopyToAsync(new FlippingStream(stream, offset));

        protected override bool TryComputeLength(out long length)
        {
            length = inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }
    }

    private sealed class FlippingStream(Stream inner, long offset) : Stream
    {
        private long position;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (offset >= position && offset < position + buffer.Length)
            {
                var copy = buffer.ToArray();
                copy[offset - position] ^= 0x01;
                buffer = copy;
            }

            position += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
