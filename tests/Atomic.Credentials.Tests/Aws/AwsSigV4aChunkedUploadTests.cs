using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD: with SigV4a, a body that cannot be rewound (or any body with
/// <c>ChunkedUpload: Always</c>) sent as ECDSA-signed chunks. The wire is parsed back here and every chunk
/// signature verified with the key the spec derives (<see cref="SigV4aReference"/>, apart from the library)
/// over the string to sign rebuilt from the spec: the field 144 characters wide, padded with '*', each
/// chunk chaining from the previous unpadded signature (aws-c-auth's sigv4a chunked tests, the AWS SDK for
/// .NET's <c>V4A_SIGNATURE_LENGTH</c>).
/// </summary>
[NonParallelizable]
public sealed class AwsSigV4aChunkedUploadTests
{
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const int FieldWidth = 144;

    private readonly ECDsa key = SigV4aReference.DerivedKey("AKIDTEST", Secret);

    [OneTimeTearDown]
    public void DisposeKey() => key.Dispose();

    private static AwsSignedRequestOptions MultiRegion(int chunkSize = 8192, Action<AwsSignedRequestOptions>? configure = null) =>
        Options("s3", o =>
        {
            (o.SigningAlgorithm, o.RegionSet, o.Region, o.ChunkSize) = (AwsSigningAlgorithm.SigV4a, ["*"], string.Empty, chunkSize);
            configure?.Invoke(o);
        });

    [TestCase(0, 8192)]
    [TestCase(1, 8192)]
    [TestCase(8191, 8192)]
    [TestCase(8192, 8192)]
    [TestCase(8193, 8192)]
    [TestCase(16384, 8192)]
    [TestCase(100_000, 8192)]
    [TestCase(300_001, 65536)]
    public async Task Every_chunk_signature_verifies_chained_from_the_headers_signature(int length, int chunkSize)
    {
        var body = RandomNumberGenerator.GetBytes(length);

        var (request, sink) = await SendAsync(MultiRegion(chunkSize), Forward(body));

        var chunks = Parse(sink.Body, Seed(request));
        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
            Assert.That(Header(request, "x-amz-decoded-content-length"), Is.EqualTo(length.ToString(CultureInfo.InvariantCulture)));
            Assert.That(sink.ContentEncoding, Is.EqualTo("aws-chunked"));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length), "Content-Length is the exact length on the wire");
            Assert.That(SigV4aReference.HeaderSignatureVerifies(request, key), Is.True, "the seed signature");
            Assert.That(chunks.Select(c => c.Verifies), Has.All.True);
            Assert.That(chunks.Select(c => c.Size), Is.EqualTo(ExpectedSizes(length, chunkSize)));
            Assert.That(chunks.SelectMany(c => c.Data).ToArray(), Is.EqualTo(body));
        });
    }

    [Test]
    public async Task One_altered_chunk_fails_its_signature_and_the_chain_stays_bound_to_what_was_signed()
    {
        var body = RandomNumberGenerator.GetBytes(3 * 8192);
        var (request, sink) = await SendAsync(MultiRegion(), Forward(body));
        var seed = Seed(request);
        // Each full chunk's frame: "2000;chunk-signature=" (21), the field, "\r\n", 8192 bytes, "\r\n".
        const int line = 21 + FieldWidth + 2;
        const int frame = line + 8192 + 2;

        var altered = (byte[])sink.Body.Clone();
        altered[frame + line + 100] ^= 0x01;
        var swapped = (byte[])sink.Body.Clone();
        Encoding.ASCII.GetBytes(Field(SignChunk(seed, new byte[8192]))).CopyTo(swapped, 21);

        Assert.Multiple(() =>
        {
            Assert.That(Parse(sink.Body, seed).Select(c => c.Verifies), Is.EqualTo(new[] { true, true, true, true }));
            Assert.That(Parse(altered, seed).Select(c => c.Verifies), Is.EqualTo(new[] { true, false, true, true }), "only the altered chunk fails");
            Assert.That(Parse(swapped, seed).Select(c => c.Verifies), Is.EqualTo(new[] { false, false, true, true }),
                "a valid signature of other data fails, and so does the next chunk, chained from the signature it saw");
        });
    }

    [Test]
    public void Random_lengths_and_chunk_sizes_frame_exactly_and_every_chunk_verifies()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 24; i++)
        {
            var chunkSize = random.Next(8192, 40_000);
            var length = random.Next(4) switch
            {
                0 => chunkSize * random.Next(0, 5),
                1 => (chunkSize * random.Next(1, 5)) + random.Next(-1, 2),
                _ => random.Next(0, 150_000),
            };
            var body = new byte[length];
            random.NextBytes(body);

            var (request, sink) = SendAsync(MultiRegion(chunkSize), Forward(body)).GetAwaiter().GetResult();

            var chunks = Parse(sink.Body, Seed(request));
            var context = $"seed {seed}, case {i}: {length} bytes in chunks of {chunkSize}";
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length), context);
            Assert.That(chunks.Select(c => c.Size), Is.EqualTo(ExpectedSizes(length, chunkSize)), context);
            Assert.That(chunks.All(c => c.Verifies), Is.True, context);
            Assert.That(chunks.SelectMany(c => c.Data).ToArray(), Is.EqualTo(body), context);
        }
    }

    [Test]
    public void Signatures_shorter_than_72_bytes_are_padded_on_the_wire_and_chained_unpadded()
    {
        // A DER signature takes 72 bytes only when r and s both have their top bit set (each then needs a
        // leading zero byte): about three in four are shorter, and about one in a hundred shorter than 70
        // (r or s starting with a zero byte). 1,500 chained signatures include many of each length.
        var seed = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(71));
        var signer = new Atomic.Credentials.Aws.AwsChunkSigner(key, "20241022T100000Z"u8, "20241022/s3/aws4_request"u8, seed);
        var previous = seed;
        var field = new byte[FieldWidth];
        var shorter = 0;
        for (var i = 0; i < 1500; i++)
        {
            var data = BitConverter.GetBytes(i);
            signer.Sign(data, field);

            var text = Encoding.ASCII.GetString(field);
            var signature = text.TrimEnd('*');
            shorter += signature.Length < FieldWidth ? 1 : 0;
            Assert.That(text, Does.Match("^([0-9a-f]{2}){8,72}\\**$"), $"field {i}");
            Assert.That(
                key.VerifyData(Encoding.ASCII.GetBytes(StringToSign(previous, data)), Convert.FromHexString(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                Is.True,
                $"signature {i} ({signature.Length} characters) chained from the unpadded {previous.Length}");
            previous = signature;
        }

        TestContext.Out.WriteLine($"{shorter} of 1500 signatures were shorter than 144 characters");
        Assert.That(shorter, Is.GreaterThan(0), "no short signature came up: the padding was not exercised");
    }

    [Test]
    public async Task With_chunking_always_a_seekable_body_is_sent_in_signed_chunks_too()
    {
        var body = RandomNumberGenerator.GetBytes(20_000);

        var (request, sink) = await SendAsync(MultiRegion(configure: o => o.ChunkedUpload = AwsChunkedUpload.Always), new ByteArrayContent(body));

        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
            Assert.That(Parse(sink.Body, Seed(request)).SelectMany(c => c.Data).ToArray(), Is.EqualTo(body));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length));
        });
    }

    [Test]
    public async Task The_checksum_trailer_form_keeps_unsigned_chunks_under_a_sigv4a_header_signature()
    {
        var (request, sink) = await SendAsync(
            MultiRegion(configure: o => o.StreamingPayload = AwsStreamingPayload.UnsignedWithChecksumTrailer), Forward("123456789"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-UNSIGNED-PAYLOAD-TRAILER"));
            Assert.That(Encoding.ASCII.GetString(sink.Body), Is.EqualTo("9\r\n123456789\r\n0\r\nx-amz-checksum-crc32:y/Q5Jg==\r\n\r\n"));
            Assert.That(sink.ContentLength, Is.EqualTo(sink.Body.Length));
            Assert.That(SigV4aReference.HeaderSignatureVerifies(request, key), Is.True);
        });
    }

    [Test]
    public async Task Nothing_on_the_wire_or_in_a_failure_holds_the_secret_or_the_derived_key()
    {
        var (request, sink) = await SendAsync(MultiRegion(), Forward(RandomNumberGenerator.GetBytes(20_000)));
        var cutShort = new StreamContent(new ForwardOnlyStream(new byte[10_000]));
        cutShort.Headers.ContentLength = 20_000;
        var failure = Assert.CatchAsync(() => SendAsync(MultiRegion(), cutShort));

        var printed = new[]
        {
            Encoding.Latin1.GetString(sink.Body), request.ToString(), request.Content!.ToString()!, string.Join("\n", request.Headers), failure!.ToString(),
        };
        var d = key.ExportParameters(includePrivateParameters: true).D!;
        Assert.Multiple(() =>
        {
            Assert.That(failure.ToString(), Does.Contain("ended before its Content-Length"), "the failure says what happened");
            foreach (var secret in new[] { Secret, Convert.ToHexStringLower(d), Convert.ToHexString(d), Convert.ToBase64String(d) })
            {
                Assert.That(printed.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..4]}…");
            }
        });
    }

    [Test]
    public async Task Over_plain_http_the_trailer_form_falls_back_to_ecdsa_signed_chunks()
    {
        var body = RandomNumberGenerator.GetBytes(10_000);

        var (request, sink) = await SendAsync(
            MultiRegion(configure: o => o.StreamingPayload = AwsStreamingPayload.UnsignedWithChecksumTrailer), Forward(body), "http://127.0.0.1:9000/bucket/k");

        var chunks = Parse(sink.Body, Seed(request));
        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
            Assert.That(Header(request, "x-amz-trailer"), Is.Null);
            Assert.That(chunks.Select(c => c.Verifies), Has.All.True);
            Assert.That(chunks.SelectMany(c => c.Data).ToArray(), Is.EqualTo(body));
        });
    }

    private static async Task<(HttpRequestMessage Request, ChunkedSink Sink)> SendAsync(
        AwsSignedRequestOptions options, HttpContent content, string uri = "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k")
    {
        var sink = new ChunkedSink();
        using var client = new HttpClient(new AwsSignatureHandler(options, timeProvider: new FakeTimeProvider(Now)) { InnerHandler = sink });
        var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = content };
        (await client.SendAsync(request)).Dispose();
        return (request, sink);
    }

    private static string Seed(HttpRequestMessage request)
    {
        var authorization = Header(request, "Authorization")!;
        return authorization[(authorization.LastIndexOf('=') + 1)..];
    }

    private static IEnumerable<int> ExpectedSizes(int length, int chunkSize) =>
        [.. Enumerable.Repeat(chunkSize, length / chunkSize), .. length % chunkSize > 0 ? new[] { length % chunkSize } : [], 0];

    private static string StringToSign(string previous, ReadOnlySpan<byte> data) =>
        $"AWS4-ECDSA-P256-SHA256-PAYLOAD\n20241022T100000Z\n20241022/s3/aws4_request\n{previous}\n{EmptyHash}\n{Convert.ToHexStringLower(SHA256.HashData(data))}";

    private string SignChunk(string previous, byte[] data) =>
        Convert.ToHexStringLower(key.SignData(Encoding.ASCII.GetBytes(StringToSign(previous, data)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private static string Field(string signature) => signature.PadRight(FieldWidth, '*');

    /// <summary>
    /// Reads an aws-chunked body frame by frame, checking the framing strictly; each chunk's signature
    /// verified over the string to sign rebuilt from the spec, chained from the signature on the wire before it.
    /// </summary>
    private List<(int Size, byte[] Data, bool Verifies)> Parse(byte[] wire, string seed)
    {
        var chunks = new List<(int, byte[], bool)>();
        var previous = seed;
        var at = 0;
        while (true)
        {
            var lineEnd = wire.AsSpan(at).IndexOf("\r\n"u8) + at;
            var parts = Encoding.ASCII.GetString(wire, at, lineEnd - at).Split(";chunk-signature=");
            Assert.That(parts, Has.Length.EqualTo(2), $"the chunk line at {at}");
            Assert.That(parts[1], Has.Length.EqualTo(FieldWidth).And.Match("^([0-9a-f]{2}){8,72}\\**$"), $"the signature field at {at}");
            var size = int.Parse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var data = wire.AsSpan(lineEnd + 2, size).ToArray();
            Assert.That(Encoding.ASCII.GetString(wire, lineEnd + 2 + size, 2), Is.EqualTo("\r\n"), $"the end of the chunk at {at}");
            var signature = parts[1].TrimEnd('*');
            var verifies = key.VerifyData(
                Encoding.ASCII.GetBytes(StringToSign(previous, data)), Convert.FromHexString(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            chunks.Add((size, data, verifies));
            previous = signature;
            at = lineEnd + 2 + size + 2;
            if (size == 0)
            {
                Assert.That(at, Is.EqualTo(wire.Length), "nothing after the final chunk");
                return chunks;
            }
        }
    }
}
