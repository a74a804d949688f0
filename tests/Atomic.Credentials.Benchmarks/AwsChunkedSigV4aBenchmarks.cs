using System.Security.Cryptography;
using Atomic.Credentials.Aws;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// A 64 MiB body that cannot be rewound, signed and written out as aws-chunked (to <see cref="Stream.Null"/>,
/// so the network is not measured): SigV4's HMAC-signed chunks against SigV4a's ECDSA-signed chunks, both
/// of 64 KiB, and SigV4a with 1 MiB chunks (sixteen times fewer signatures). The body is in memory, so
/// the chunk signatures and hashes are what is compared, not a disk.
/// </summary>
[MemoryDiagnoser]
public class AwsChunkedSigV4aBenchmarks
{
    private const int Size = 64 << 20;
    private readonly byte[] body = RandomNumberGenerator.GetBytes(Size);
    private readonly AwsSigningPipeline sigV4 = AwsBenchmarkCredential.Pipeline(AwsSigningAlgorithm.SigV4, 64 << 10);
    private readonly AwsSigningPipeline sigV4a = AwsBenchmarkCredential.Pipeline(AwsSigningAlgorithm.SigV4a, 64 << 10);
    private readonly AwsSigningPipeline sigV4aLargeChunks = AwsBenchmarkCredential.Pipeline(AwsSigningAlgorithm.SigV4a, 1 << 20);

    [Benchmark(Baseline = true, Description = "SigV4 aws-chunked, 64 KiB chunks (HMAC each)")]
    public Task<int> SigV4Chunks() => SendAsync(sigV4);

    [Benchmark(Description = "SigV4a aws-chunked, 64 KiB chunks (ECDSA each)")]
    public Task<int> SigV4aChunks() => SendAsync(sigV4a);

    [Benchmark(Description = "SigV4a aws-chunked, 1 MiB chunks")]
    public Task<int> SigV4aLargeChunks() => SendAsync(sigV4aLargeChunks);

    private async Task<int> SendAsync(AwsSigningPipeline pipeline)
    {
        using var content = new StreamContent(new ForwardOnlyStream(new MemoryStream(body, writable: false)));
        content.Headers.ContentLength = Size;
        using var request = new HttpRequestMessage(HttpMethod.Put, AwsBenchmarkCredential.Upload) { Content = content };
        await pipeline.SignAsync(pipeline.Current, request, query: false, 0, CancellationToken.None).ConfigureAwait(false);
        await request.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
        return request.Headers.NonValidated.Count;
    }
}
