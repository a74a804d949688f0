using Atomic.Credentials.Aws;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Header-signing the small S3 GET of <see cref="AwsSigningBenchmarks"/> with SigV4 and with SigV4a
/// (region set <c>*</c>), side by side in one run: the same canonical request code, then HMAC-SHA256
/// against an ECDSA P-256 signature with the cached derived key. The methods return <c>Task&lt;int&gt;</c>
/// (a cached completed task: no allocation) so <c>--paired</c> can measure them in interleaved rounds.
/// </summary>
[MemoryDiagnoser]
public class AwsSigV4aBenchmarks
{
    private readonly Signing sigV4 = new(AwsSigningAlgorithm.SigV4);
    private readonly Signing sigV4a = new(AwsSigningAlgorithm.SigV4a);

    [GlobalCleanup]
    public void Cleanup()
    {
        sigV4.Dispose();
        sigV4a.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SigV4 header signing (AWS4-HMAC-SHA256)")]
    public Task<int> SigV4() => Task.FromResult(sigV4.Sign());

    [Benchmark(Description = "SigV4a header signing (AWS4-ECDSA-P256-SHA256)")]
    public Task<int> SigV4a() => Task.FromResult(sigV4a.Sign());

    /// <summary>One credential's pipeline re-signing one request, as the handler does on each send.</summary>
    private sealed class Signing : IDisposable
    {
        private readonly AwsSigningPipeline pipeline;
        private readonly AwsSigningState state;
        private readonly HttpRequestMessage request = new(HttpMethod.Get, AwsBenchmarkCredential.Target);

        public Signing(AwsSigningAlgorithm algorithm)
        {
            pipeline = AwsBenchmarkCredential.Pipeline(algorithm);
            state = pipeline.Current;
        }

        public int Sign()
        {
            AwsSigningPipeline.Strip(state, request);
            var signing = pipeline.SignAsync(state, request, query: false, 0, CancellationToken.None);
            if (!signing.IsCompletedSuccessfully)
            {
                signing.AsTask().GetAwaiter().GetResult();
            }

            return request.Headers.NonValidated.Count;
        }

        public void Dispose() => request.Dispose();
    }
}
