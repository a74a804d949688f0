using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Atomic.Credentials.Tests.Support;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// STREAMING-AWS4-HMAC-SHA256-PAYLOAD: a body that cannot be rewound, of known length, sent once as
/// signed chunks. The chunk signatures are checked against AWS's published example and against this
/// test's own spec implementation (BCL HMACSHA256, nothing of the library's).
/// </summary>
[NonParallelizable]
public sealed class AwsChunkedUploadTests
{
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Test]
    public async Task The_example_AWS_publishes_is_reproduced_exactly()
    {
        // "Example: PUT Object" of the S3 SigV4 streaming documentation: 66560 bytes of 'a' in 64 KiB chunks.
        var options = new AwsSignedRequestOptions
        {
            AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SecretAccessKey = ExampleSecret, Service = "s3", Region = "us-east-1",
        };
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(options, timeProvider: new FakeTimeProvider(new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero))) { InnerHandler = sink });
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://s3.amazonaws.com/examplebucket/chunkObject.txt")
        {
            Content = Forward(Enumerable.Repeat((byte)'a', 66560).ToArray()),
        };
        request.Headers.TryAddWithoutValidation("x-amz-storage-class", "REDUCED_REDUNDANCY");

        await client.SendAsync(request);

        var expectedBody = new StringBuilder()
            .Append("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n").Append('a', 65536).Append("\r\n")
            .Append("400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n").Append('a', 1024).Append("\r\n")
            .Append("0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
            .ToString();
        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "Authorization"), Is.EqualTo(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class, "
                + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"));
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
            Assert.That(Header(request, "x-amz-decoded-content-length"), Is.EqualTo("66560"));
            Assert.That(sink.ContentLength, Is.EqualTo(66824));
            Assert.That(sink.ContentEncoding, Is.EqualTo("aws-chunked"));
            Assert.That(Encoding.ASCII.GetString(sink.Body), Is.EqualTo(expectedBody));
        });
    }

    [TestCase(0, 8192)]
    [TestCase(1, 8192)]
    [TestCase(8192, 8192)]
    [TestCase(8193, 8192)]
    [TestCase(100_000, 8192)]
    [TestCase(300_001, 65536)]
    public async Task Every_chunk_signature_chains_from_the_previous_one_by_the_spec(int length, int chunkSize)
    {
        var now = new DateTimeOffset(2024, 10, 22, 10, 0, 0, TimeSpan.Zero);
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3", o => o.ChunkSize = chunkSize), timeProvider: new FakeTimeProvider(now)) { InnerHandler = sink });
        var body = RandomNumberGenerator.GetBytes(length);
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/k") { Content = Forward(body) };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Content.Headers.ContentEncoding.Add("gzip");

        await client.SendAsync(request);

        var seed = Header(request, "Authorization")![^64..];
        var decoded = Decode(sink.Body, SigningKey(Secret, "20241022", "us-east-1", "s3"), "20241022T100000Z", "20241022/us-east-1/s3/aws4_request", seed, chunkSize);
        Assert.Multiple(() =>
        {
            Assert.That(decoded, Is.EqualTo(body));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length));
            Assert.That(sink.ContentEncoding, Is.EqualTo("gzip, aws-chunked"));
            Assert.That(sink.ContentType, Is.EqualTo("application/octet-stream"));
            Assert.That(Header(request, "x-amz-decoded-content-length"), Is.EqualTo(length.ToString(CultureInfo.InvariantCulture)));
            Assert.That(SignedHeaders(request), Is.EqualTo("content-encoding;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length"));
        });
    }

    [Test]
    public async Task A_seekable_body_is_still_hashed_and_sent_as_it_is_unless_chunking_is_always()
    {
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3")) { InnerHandler = sink });
        using var always = new HttpClient(new AwsSignatureHandler(Options("s3", o => o.ChunkedUpload = AwsChunkedUpload.Always)) { InnerHandler = new ChunkedSink() });
        var body = RandomNumberGenerator.GetBytes(20_000);

        using var plain = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/k") { Content = new ByteArrayContent(body) };
        await client.SendAsync(plain);
        using var chunked = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/k") { Content = new ByteArrayContent(body) };
        await always.SendAsync(chunked);

        Assert.Multiple(() =>
        {
            Assert.That(Header(plain, "x-amz-content-sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(body))));
            Assert.That(sink.Body, Is.EqualTo(body));
            Assert.That(sink.ContentEncoding, Is.Empty);
            Assert.That(Header(chunked, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
        });
    }

    [Test]
    public void Without_a_length_in_query_mode_or_with_chunking_off_a_body_that_cannot_be_rewound_is_refused()
    {
        using var noLength = new HttpClient(new AwsSignatureHandler(Options("s3"), "uploads") { InnerHandler = new ChunkedSink() });
        using var never = new HttpClient(new AwsSignatureHandler(Options("s3", o => o.ChunkedUpload = AwsChunkedUpload.Never), "uploads") { InnerHandler = new ChunkedSink() });
        using var query = new HttpClient(new AwsSignatureHandler(Options("execute-api", o => o.SignQuery = true), "uploads") { InnerHandler = new ChunkedSink() });
        var uri = new Uri("https://bucket.s3.amazonaws.com/k");

        var errors = new[]
        {
            Assert.ThrowsAsync<CredentialException>(() => noLength.PutAsync(uri, new StreamContent(new ForwardOnlyStream([1, 2, 3])))),
            Assert.ThrowsAsync<CredentialException>(() => never.PutAsync(uri, Forward([1, 2, 3]))),
            Assert.ThrowsAsync<CredentialException>(() => query.PutAsync(uri, Forward([1, 2, 3]))),
        };

        Assert.That(errors.Select(e => e!.Message), Has.All.Contain("cannot be rewound").And.All.Contain("Content-Length"));
    }

    [Test]
    public void A_body_shorter_than_its_length_fails_the_send()
    {
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3")) { InnerHandler = new ChunkedSink() });
        var content = new StreamContent(new ForwardOnlyStream(new byte[10_000]));
        content.Headers.ContentLength = 20_000;

        Assert.That(() => client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), content), Throws.InstanceOf<Exception>());
    }

    [TestCase(8191)]
    [TestCase(0)]
    [TestCase(16 * 1024 * 1024 + 1)]
    public void A_chunk_size_out_of_range_fails_naming_the_field(int chunkSize)
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new AwsSignatureHandler(Options("s3", o => o.ChunkSize = chunkSize), "s3"));

        Assert.That(error!.Message, Does.Contain("Credential 's3' (AwsSignedRequest): ChunkSize must be at least 8192"));
    }

    [Test]
    public async Task A_256_MiB_body_that_cannot_be_rewound_is_sent_in_bounded_memory()
    {
        const long length = 256L << 20;
        var sink = new ChunkedSink(keep: false);
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3")) { InnerHandler = sink });
        using var content = new StreamContent(new GeneratedStream(length));
        content.Headers.ContentLength = length;
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var peakBefore = process.PeakWorkingSet64;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/big.bin"), content);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var peakGrowth = process.PeakWorkingSet64 - peakBefore;
        TestContext.Out.WriteLine($"allocated {allocated / 1024} KiB, peak working set grew {peakGrowth / 1024} KiB");
        Assert.Multiple(() =>
        {
            Assert.That(sink.Decoded, Is.EqualTo(length));
            Assert.That(allocated, Is.LessThan(16L << 20));
            Assert.That(peakGrowth, Is.LessThan(16L << 20));
        });
    }

    // The check values of the algorithms over "123456789": CRC-32 0xCBF43926, CRC-32C 0xE3069283; S3 takes their bytes big-endian.
    [TestCase(AwsTrailerChecksum.Crc32, "x-amz-checksum-crc32", "y/Q5Jg==")]
    [TestCase(AwsTrailerChecksum.Crc32c, "x-amz-checksum-crc32c", "4waSgw==")]
    public async Task Over_https_the_trailer_form_sends_unsigned_chunks_and_the_crc_of_the_body(AwsTrailerChecksum checksum, string trailer, string value)
    {
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3", o =>
            (o.StreamingPayload, o.TrailerChecksum) = (AwsStreamingPayload.UnsignedWithChecksumTrailer, checksum))) { InnerHandler = sink });
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/k") { Content = Forward("123456789"u8.ToArray()) };

        await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(sink.Body), Is.EqualTo($"9\r\n123456789\r\n0\r\n{trailer}:{value}\r\n\r\n"));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length));
            Assert.That(sink.ContentEncoding, Is.EqualTo("aws-chunked"));
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
            Assert.That(Header(request, "x-amz-trailer"), Is.EqualTo(trailer));
            Assert.That(Header(request, "x-amz-decoded-content-length"), Is.EqualTo("9"));
            Assert.That(SignedHeaders(request), Is.EqualTo("content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer"));
        });
    }

    [TestCase(100_000, 8192)]
    [TestCase(65536, 65536)]
    public async Task The_sha256_trailer_closes_chunks_of_the_configured_size(int length, int chunkSize)
    {
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3", o =>
            (o.StreamingPayload, o.TrailerChecksum, o.ChunkSize) = (AwsStreamingPayload.UnsignedWithChecksumTrailer, AwsTrailerChecksum.Sha256, chunkSize))) { InnerHandler = sink });
        var body = RandomNumberGenerator.GetBytes(length);

        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), Forward(body));

        var decoded = new MemoryStream();
        var at = 0;
        int size;
        do
        {
            var lineEnd = sink.Body.AsSpan(at).IndexOf("\r\n"u8) + at;
            size = int.Parse(Encoding.ASCII.GetString(sink.Body, at, lineEnd - at), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.That(size, Is.EqualTo(Math.Min(chunkSize, length - (int)decoded.Length)));
            decoded.Write(sink.Body, lineEnd + 2, size);
            at = lineEnd + 2 + size + (size > 0 ? 2 : 0);
        }
        while (size > 0);

        Assert.Multiple(() =>
        {
            Assert.That(decoded.ToArray(), Is.EqualTo(body));
            Assert.That(Encoding.ASCII.GetString(sink.Body, at, sink.Body.Length - at), Is.EqualTo($"x-amz-checksum-sha256:{Convert.ToBase64String(SHA256.HashData(body))}\r\n\r\n"));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length));
        });
    }

    [Test]
    public async Task Over_plain_http_the_trailer_form_falls_back_to_signed_chunks()
    {
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3", o => o.StreamingPayload = AwsStreamingPayload.UnsignedWithChecksumTrailer)) { InnerHandler = new ChunkedSink() });
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:9000/bucket/k") { Content = Forward([1, 2, 3]) };

        await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
            Assert.That(Header(request, "x-amz-trailer"), Is.Null);
        });
    }

    [Test]
    public void An_unknown_trailer_checksum_fails_naming_the_field()
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new AwsSignatureHandler(Options("s3", o => o.TrailerChecksum = (AwsTrailerChecksum)7), "s3"));

        Assert.That(error!.Message, Does.Contain("Credential 's3' (AwsSignedRequest): TrailerChecksum must be Crc32, Crc32c or Sha256"));
    }

    [Test]
    public async Task A_307_after_a_chunked_upload_is_returned_to_the_caller_its_body_being_spent()
    {
        var server = new SeeOther(HttpStatusCode.TemporaryRedirect);
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3")) { InnerHandler = server });

        using var response = await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), Forward([1, 2, 3]));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
            Assert.That(server.Seen, Has.Count.EqualTo(1));
        });
    }

    /// <summary>Reads a PUT's body and redirects it to another key of the same origin.</summary>
    private sealed class SeeOther(HttpStatusCode status = HttpStatusCode.SeeOther) : HttpMessageHandler
    {
        public List<string> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var decoded = request.Headers.TryGetValues("x-amz-decoded-content-length", out var values) ? values.Single() : "-";
            Seen.Add($"{request.Method} {request.Headers.GetValues("x-amz-content-sha256").Single()} {decoded}");
            if (request.Method != HttpMethod.Put)
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var response = new HttpResponseMessage(status);
            response.Headers.Location = new Uri("https://bucket.s3.amazonaws.com/other");
            return response;
        }
    }

    /// <summary>Decodes an aws-chunked body, checking each chunk's size and signature by the spec.</summary>
    private static byte[] Decode(byte[] wire, byte[] key, string dateTime, string scope, string seed, int chunkSize)
    {
        var output = new MemoryStream();
        var previous = seed;
        var at = 0;
        while (true)
        {
            var lineEnd = wire.AsSpan(at).IndexOf("\r\n"u8) + at;
            var line = Encoding.ASCII.GetString(wire, at, lineEnd - at);
            var parts = line.Split(";chunk-signature=");
            var size = int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var data = wire.AsSpan(lineEnd + 2, size);
            var toSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{dateTime}\n{scope}\n{previous}\n{Convert.ToHexStringLower(SHA256.HashData([]))}\n{Convert.ToHexStringLower(SHA256.HashData(data))}";
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
            Assert.That(parts[1], Is.EqualTo(expected), $"signature of the chunk at {at}");
            Assert.That(Encoding.ASCII.GetString(wire, lineEnd + 2 + size, 2), Is.EqualTo("\r\n"));
            output.Write(data);
            at = lineEnd + 2 + size + 2;
            previous = expected;
            if (size == 0)
            {
                Assert.That(at, Is.EqualTo(wire.Length), "nothing after the final chunk");
                return output.ToArray();
            }

            Assert.That(size == chunkSize || wire.AsSpan(at).StartsWith("0;"u8), $"the chunk at {at - size} is full or the last");
        }
    }
}
