using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.Aws;
using Atomic.Credentials.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>Where a small S3 GET's signature spends its time: the crypto calls and the request work, one by one.</summary>
[MemoryDiagnoser]
public class SigV4PartsBenchmarks
{
    private static readonly Uri Target = AwsBenchmarkCredential.Target;
    private readonly byte[] canonical = new byte[330];
    private readonly byte[] toSign = new byte[140];
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] output = new byte[32];
    private HttpRequestMessage request = null!;
    private HttpRequestMessage signed = null!;
    private AwsSigningPipeline pipeline = null!;
    private AwsSigningState state = null!;
    private byte[] authorization = null!;
    private readonly AwsSigningBenchmarks whole = new();

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(canonical);
        RandomNumberGenerator.Fill(toSign);
        request = new HttpRequestMessage(HttpMethod.Get, Target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20261128T120000Z");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", PayloadHash.Empty);
        pipeline = AwsBenchmarkCredential.Pipeline();
        state = pipeline.Current;
        signed = new HttpRequestMessage(HttpMethod.Get, Target);
        state.Signer.SignHeaders(
            signed,
            new SigV4Request(new AwsKeys(AwsBenchmarkCredential.AccessKeyId, AwsBenchmarkCredential.SecretAccessKey, null), DateTimeOffset.UtcNow, PayloadHash.Empty)
            {
                PayloadHashHeader = true,
            });
        authorization = Encoding.UTF8.GetBytes(signed.Headers.NonValidated["Authorization"].ToString());
        whole.Setup();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        whole.Cleanup();
        signed.Dispose();
        request.Dispose();
    }

    /// <summary>The whole signature these parts add up to, in the same run (<see cref="AwsSigningBenchmarks"/>).</summary>
    [Benchmark]
    public int Signature() => whole.AtomicSigner();

    /// <summary>Its two hashes alone, in the same run: the floor the parts are counted above.</summary>
    [Benchmark]
    public byte CryptoFloor() => whole.CryptoFloor();

    /// <summary>What a re-signature does to the request's headers: the previous signature's three taken off, three put on.</summary>
    [Benchmark]
    public int HeaderChurn()
    {
        var date = signed.Headers.NonValidated["X-Amz-Date"].ToString();
        var value = signed.Headers.NonValidated["Authorization"].ToString();
        AwsSigningPipeline.Strip(state, signed);
        signed.Headers.TryAddWithoutValidation("X-Amz-Date", date);
        signed.Headers.TryAddWithoutValidation("x-amz-content-sha256", PayloadHash.Empty);
        signed.Headers.TryAddWithoutValidation("Authorization", value);
        return signed.Headers.NonValidated.Count;
    }

    /// <summary>The clock read and the counter every signature adds to.</summary>
    [Benchmark]
    public long ClockAndCounter()
    {
        var now = pipeline.Time.GetUtcNow();
        CredentialsTelemetry.MaterialRequests.Add(1, CredentialsTelemetry.CredentialTag(pipeline.Name), CredentialsTelemetry.KindTag(pipeline.Kind));
        return now.Ticks;
    }

    /// <summary>The Authorization value made a string from its bytes.</summary>
    [Benchmark]
    public int AuthorizationText() => Encoding.UTF8.GetString(authorization).Length;

    [Benchmark]
    public byte Sha256OneShot()
    {
        SHA256.HashData(canonical, output);
        return output[0];
    }

    [Benchmark]
    public byte Sha256Reused()
    {
        ReusedHashes.Sha256(canonical, output);
        return output[0];
    }

    [Benchmark]
    public byte HmacOneShot()
    {
        HMACSHA256.HashData(key, toSign, output);
        return output[0];
    }

    [Benchmark]
    public byte HmacReused()
    {
        ReusedHashes.HmacSha256(key, toSign, output);
        return output[0];
    }

    [Benchmark]
    public int CanonicalPathAndQuery()
    {
        var output = new PooledBytes(1024);
        CanonicalPath.Append(ref output, Target.AbsolutePath, s3: true);
        CanonicalQuery.Append(ref output, Target.Query.AsSpan(1), default);
        var length = output.Length;
        output.Dispose();
        return length;
    }

    [Benchmark]
    public int CanonicalHeaders()
    {
        var canonicalHeaders = new PooledBytes(1024);
        var signed = new PooledBytes(256);
        SigV4Headers.Append(request, ref canonicalHeaders, ref signed);
        var length = canonicalHeaders.Length + signed.Length;
        canonicalHeaders.Dispose();
        signed.Dispose();
        return length;
    }
}
