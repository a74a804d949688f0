using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Atomic.Credentials.Aws;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Signing a small S3 GET (header mode, payload hash header, no body): our signer on an
/// HttpRequestMessage against AWSSDK.Core 4.1's <see cref="AWSSigV4Signer"/> on its own request
/// type. Each side re-signs one request object, so only signing is measured.
/// </summary>
[MemoryDiagnoser]
public class AwsSigningBenchmarks
{
    private static readonly Uri Target = AwsBenchmarkCredential.Target;
    private AwsSigningPipeline pipeline = null!;
    private AwsSigningState state = null!;
    private HttpRequestMessage ours = null!;
    private AWSSigningRequest theirs = null!;
    private AWSSigV4Parameters parameters = null!;
    private byte[] canonicalRequest = null!;
    private byte[] stringToSign = null!;
    private readonly byte[] signingKey = new byte[32];
    private readonly byte[] digest = new byte[32];

    [GlobalSetup]
    public void Setup()
    {
        pipeline = AwsBenchmarkCredential.Pipeline();
        state = pipeline.Current;
        ours = new HttpRequestMessage(HttpMethod.Get, Target);
        theirs = new AWSSigningRequest { HttpMethod = HttpMethod.Get, RequestUri = Target };
        // The exact bytes this request hashes and signs, for the crypto floor below.
        var trace = new SigV4Trace();
        using (var probe = new HttpRequestMessage(HttpMethod.Get, Target))
        {
            state.Signer.SignHeaders(
                probe,
                new SigV4Request(new AwsKeys(AwsBenchmarkCredential.AccessKeyId, AwsBenchmarkCredential.SecretAccessKey, null), DateTimeOffset.UtcNow, PayloadHash.Empty)
                {
                    PayloadHashHeader = true,
                    Trace = trace,
                });
        }

        canonicalRequest = System.Text.Encoding.UTF8.GetBytes(trace.CanonicalRequest);
        stringToSign = System.Text.Encoding.UTF8.GetBytes(trace.StringToSign);
        parameters = new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(AwsBenchmarkCredential.AccessKeyId, AwsBenchmarkCredential.SecretAccessKey),
            Region = RegionEndpoint.EUWest1,
            Service = "s3",
        };
    }

    [GlobalCleanup]
    public void Cleanup() => ours.Dispose();

    [Benchmark(Baseline = true, Description = "AWSSDK.Core AWSSigV4Signer.Sign")]
    public int AwsSdkSigner() => AWSSigV4Signer.Sign(theirs, parameters).Headers.Count;

    [Benchmark(Description = "Atomic.Credentials SigV4 (HttpRequestMessage)")]
    public int AtomicSigner()
    {
        AwsSigningPipeline.Strip(state, ours);
        var signing = pipeline.SignAsync(state, ours, query: false, 0, CancellationToken.None);
        if (!signing.IsCompletedSuccessfully)
        {
            signing.AsTask().GetAwaiter().GetResult();
        }

        return ours.Headers.NonValidated.Count;
    }

    /// <summary>
    /// The floor of any signer built on the BCL's crypto: only the two hashes a signature cannot skip
    /// (SHA-256 of this request's canonical request, HMAC-SHA256 of its string to sign), each on a
    /// reused hash object, the cheapest way the BCL offers. Nothing else of the signature is done.
    /// </summary>
    [Benchmark(Description = "BCL crypto floor: SHA-256 + HMAC-SHA256 of the same bytes")]
    public byte CryptoFloor()
    {
        ReusedHashes.Sha256(canonicalRequest, digest);
        ReusedHashes.HmacSha256(signingKey, stringToSign, digest);
        return digest[0];
    }
}
