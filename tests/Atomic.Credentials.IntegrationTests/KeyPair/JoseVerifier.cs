using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.KeyPair;

/// <summary>tests/peers/verify-jwt.mjs: jose on Node, verifying what this package signed.</summary>
internal sealed class JoseVerifier : IAsyncDisposable
{
    private readonly PeerProcess peer;
    private readonly HttpClient http;

    private JoseVerifier(PeerProcess peer)
    {
        this.peer = peer;
        var port = JsonDocument.Parse(peer.ReadyLine).RootElement.GetProperty("port").GetInt32();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public static async Task<JoseVerifier> StartAsync() => new(await PeerProcess.StartNodeAsync("verify-jwt.mjs", ["--serve"]));

    /// <summary>jose's verdict: <c>valid</c>, and <c>header</c>/<c>payload</c> or <c>code</c>/<c>message</c>.</summary>
    /// <param name="key">A public key PEM, or a JWKS document (JSON text).</param>
    public async Task<JsonObject> VerifyAsync(string key, string token, string? audience = null, string? issuer = null, DateTimeOffset? at = null)
    {
        var request = new JsonObject
        {
            ["key"] = key.TrimStart().StartsWith('{') ? JsonNode.Parse(key) : key,
            ["token"] = token,
            ["audience"] = audience,
            ["issuer"] = issuer,
            ["currentDate"] = at?.ToString("O"),
        };
        using var response = await http.PostAsJsonAsync("verify", request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await peer.DisposeAsync();
    }
}
