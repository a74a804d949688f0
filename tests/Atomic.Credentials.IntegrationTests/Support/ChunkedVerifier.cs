using System.Net;
using System.Text.Json;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// tests/peers/aws-chunked-verifier.mjs on 127.0.0.1: over http, or over https with the given
/// certificate and key (PEM files); <see cref="Bucket"/> is where uploads go.
/// </summary>
internal sealed record ChunkedVerifier(PeerProcess Process, Uri Bucket) : IAsyncDisposable
{
    public static async Task<ChunkedVerifier> StartAsync(string secretAccessKey, string? certificatePem = null, string? keyPem = null)
    {
        var process = await PeerProcess.StartNodeAsync(
            "aws-chunked-verifier.mjs", certificatePem is null ? [secretAccessKey] : [secretAccessKey, certificatePem, keyPem!]);
        using var ready = JsonDocument.Parse(process.ReadyLine);
        var scheme = certificatePem is null ? "http" : "https";
        return new ChunkedVerifier(process, new Uri($"{scheme}://127.0.0.1:{ready.RootElement.GetProperty("port").GetInt32()}/bucket/"));
    }

    /// <summary>What the verifier decoded from an upload it accepted; fails the test (with its answer) when it refused.</summary>
    public async Task<(long Bytes, long Chunks, string Sha256)> AcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body + "\n" + Process.Output);
        using var result = JsonDocument.Parse(body);
        var root = result.RootElement;
        return (root.GetProperty("bytes").GetInt64(), root.GetProperty("chunks").GetInt64(), root.GetProperty("sha256").GetString()!);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
