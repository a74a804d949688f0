using System.Security.Cryptography;
using Atomic.Credentials.Aws;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Signing a 1 GiB seekable file upload (StreamContent over a FileStream) against plain SHA-256
/// over the same file: the signature's cost is the hash, read in pooled blocks and never buffered.
/// Then the two upload paths side by side, each signed and its body written out (to
/// <see cref="Stream.Null"/>, so the network is not measured): the seekable file hashed then read
/// again, and the same file behind a stream that cannot seek, sent once as aws-chunked signed chunks.
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

    [Benchmark(Description = "Sign and write a 1 GiB seekable PUT (hashed, then read again)")]
    public Task<int> SendSeekable() => SignAndWriteAsync(Open(), chunked: false);

    [Benchmark(Description = "Sign and write a 1 GiB non-seekable PUT (aws-chunked, 64 KiB signed chunks)")]
    public Task<int> SendNotSeekable() => SignAndWriteAsync(Open(), chunked: true);

    private async Task<int> SignAndWriteAsync(FileStream file, bool chunked)
    {
        await using (file.ConfigureAwait(false))
        {
            using var content = new StreamContent(chunked ? new ForwardOnlyStream(file) : file);
            content.Headers.ContentLength = Size;
            using var request = new HttpRequestMessage(HttpMethod.Put, AwsBenchmarkCredential.Upload) { Content = content };
            await pipeline.SignAsync(state, request, query: false, 0, CancellationToken.None).ConfigureAwait(false);
            await request.Content.CopyToAsync(Stream.Null).ConfigureAwait(false);
            return request.Headers.NonValidated.Count;
        }
    }

    private FileStream Open() => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
