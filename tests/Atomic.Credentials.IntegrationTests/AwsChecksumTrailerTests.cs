using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.IntegrationTests;

/// <summary>
/// The trailer form (<c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>), which the handler sends over https
/// only, end to end: the aws-chunked verifier listens on https with a certificate made for this run
/// (the client trusts exactly that one), decodes the unsigned chunks and recomputes the trailer's
/// checksum from the bytes it received.
/// </summary>
[NonParallelizable]
public sealed class AwsChecksumTrailerTests
{
    private const string Secret = "atomic/trailer+secret/KEY";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "atomic-trailer-" + Guid.NewGuid().ToString("N"));
    private ChunkedVerifier verifier = null!;
    private X509Certificate2 certificate = null!;

    [OneTimeSetUp]
    public async Task StartVerifierOverHttps()
    {
        // A throwaway self-signed certificate for 127.0.0.1, written as PEM for node; the key never leaves this run's folder.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        Directory.CreateDirectory(folder);
        var certPath = Path.Combine(folder, "cert.pem");
        var keyPath = Path.Combine(folder, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        verifier = await ChunkedVerifier.StartAsync(Secret, certPath, keyPath);
    }

    [OneTimeTearDown]
    public async Task StopVerifier()
    {
        if (verifier is not null)
        {
            await verifier.DisposeAsync();
        }

        certificate?.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase(AwsTrailerChecksum.Crc32, "x-amz-checksum-crc32")]
    [TestCase(AwsTrailerChecksum.Crc32c, "x-amz-checksum-crc32c")]
    [TestCase(AwsTrailerChecksum.Sha256, "x-amz-checksum-sha256")]
    public async Task A_body_that_cannot_be_rewound_goes_in_unsigned_chunks_and_its_checksum_trailer_verifies(AwsTrailerChecksum checksum, string trailer)
    {
        var seed = Random.Shared.Next();
        var length = (3L << 20) + Random.Shared.Next(1, 65_536);
        TestContext.Out.WriteLine($"seed {seed}, {length} bytes");
        var seen = new List<string>();
        using var client = Client(checksum, corruptAt: null, seen);

        using var response = await PutAsync(client, length, seed);

        var (bytes, _, sha256) = await verifier.AcceptedAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(new[] { "STREAMING-UNSIGNED-PAYLOAD-TRAILER " + trailer }), "x-amz-content-sha256 and x-amz-trailer as sent");
            Assert.That(bytes, Is.EqualTo(length));
            Assert.That(sha256, Is.EqualTo(GeneratedStream.Sha256(length, seed)));
        });
    }

    [TestCase(AwsTrailerChecksum.Crc32)]
    [TestCase(AwsTrailerChecksum.Crc32c)]
    [TestCase(AwsTrailerChecksum.Sha256)]
    public async Task One_altered_byte_is_caught_by_the_trailer(AwsTrailerChecksum checksum)
    {
        var seed = Random.Shared.Next();
        const long length = 1L << 20;
        // A data byte, not framing: each unsigned frame is "10000\r\n", 64 KiB of data, "\r\n".
        var at = (Random.Shared.Next(16) * (7 + 65_536 + 2)) + 7 + Random.Shared.Next(65_536);
        TestContext.Out.WriteLine($"seed {seed}, byte {at} of the wire body flipped");
        using var client = Client(checksum, corruptAt: at, seen: []);

        using var response = await PutAsync(client, length, seed);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("trailer x-amz-checksum-"));
        });
    }

    [Test]
    public void The_verifier_really_speaks_tls_a_client_trusting_only_the_system_roots_is_refused()
    {
        using var stranger = new HttpClient(new SocketsHttpHandler());

        var error = Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync(verifier.Bucket));

        Assert.That(error!.InnerException, Is.InstanceOf<System.Security.Authentication.AuthenticationException>());
    }

    private async Task<HttpResponseMessage> PutAsync(HttpClient client, long length, int seed)
    {
        using var content = new StreamContent(new GeneratedStream(length, seed));
        content.Headers.ContentLength = length;
        return await client.PutAsync(new Uri(verifier.Bucket, "trailer.bin"), content);
    }

    private HttpClient Client(AwsTrailerChecksum checksum, long? corruptAt, List<string> seen)
    {
        var options = new AwsSignedRequestOptions
        {
            AccessKeyId = "AKIDATOMICTRAILER", SecretAccessKey = Secret, Service = "s3", Region = "us-east-1", ChunkSize = 64 * 1024,
            StreamingPayload = AwsStreamingPayload.UnsignedWithChecksumTrailer, TrailerChecksum = checksum,
        };

        // Trust this run's certificate and nothing else: the chain must end at it, and the name must match.
        var tls = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { certificate },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        HttpMessageHandler inner = new Watching(seen) { InnerHandler = tls };
        if (corruptAt is { } offset)
        {
            inner = new CorruptingHandler(offset) { InnerHandler = inner };
        }

        return new HttpClient(new AwsSignatureHandler(options, "trailer") { InnerHandler = inner });
    }

    /// <summary>Notes the payload mode and trailer name each request leaves with.</summary>
    private sealed class Watching(List<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(string.Join(' ', request.Headers.GetValues("x-amz-content-sha256").Concat(request.Headers.GetValues("x-amz-trailer"))));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
