using System.Security.Cryptography;
using Atomic.Credentials.Aws;
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

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(canonical);
        RandomNumberGenerator.Fill(toSign);
        request = new HttpRequestMessage(HttpMethod.Get, Target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20261128T120000Z");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", PayloadHash.Empty);
    }

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
