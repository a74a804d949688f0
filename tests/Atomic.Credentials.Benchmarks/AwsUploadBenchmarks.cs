using System.Security.Cryptography;
using Atomic.Credentials.Aws;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Signing a 1 GiB seekable file upload (StreamContent over a FileStream) against plain SHA-256
/// over the same file: the signature's cost is the hash, read in pooled blocks and never buffered.
/// </summary>
[MemoryDiagnoser]
public class AwsUploadBenchmarks
{
    private const long Size = 1L << 30;
    private string path = null!;
    private AwsSigningPipeline pipeline = null!;
    private AwsSigningState state = null!;

    [GlobalSetup]
    public void Setup()
    {
        path = Path.Combine(Path.GetTempPath(), "atomic-credentials-1gib.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != Size)
        {
            using var file = File.Create(path);
            var block = new byte[1 << 20];
            for (long written = 0; written < Size; written += block.Length)
            {
                RandomNumberGenerator.Fill(block);
                file.Write(block);
            }
        }

        pipeline = AwsBenchmarkCredential.Pipeline();
        state = pipeline.Current;
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(path);

    [Benchmark(Baseline = true, Description = "Plain SHA-256 of the 1 GiB file")]
    public async Task<int> PlainSha256()
    {
        await using var file = Open();
        return (await SHA256.HashDataAsync(file).ConfigureAwait(false)).Length;
    }

    [Benchmark(Description = "Sign a 1 GiB PUT (StreamContent over the file)")]
    public async Task<int> SignUpload()
    {
        await using var file = Open();
        using var request = new HttpRequestMessage(HttpMethod.Put, AwsBenchmarkCredential.Upload)
        {
            Content = new StreamContent(file),
        };
        await pipeline.SignAsync(state, request, query: false, 0, CancellationToken.None).ConfigureAwait(false);
        return request.Headers.NonValidated.Count;
    }

    private FileStream Open() => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
