using System.Text.Json;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>s3rver started by tests/peers/s3-server.mjs: its bucket's address and the one key pair it accepts.</summary>
internal sealed record S3Peer(PeerProcess Process, Uri Bucket, string AccessKeyId, string SecretAccessKey) : IAsyncDisposable
{
    public static async Task<S3Peer> StartAsync()
    {
        var process = await PeerProcess.StartNodeAsync("s3-server.mjs");
        using var ready = JsonDocument.Parse(process.ReadyLine);
        var root = ready.RootElement;
        return new S3Peer(
            process,
            new Uri($"http://127.0.0.1:{root.GetProperty("port").GetInt32()}/{root.GetProperty("bucket").GetString()}"),
            root.GetProperty("accessKeyId").GetString()!,
            root.GetProperty("secretAccessKey").GetString()!);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
