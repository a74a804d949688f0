namespace Atomic.Credentials.Benchmarks;

/// <summary>The request every pipeline benchmark sends: the same GET, so classes compare side by side.</summary>
internal static class BenchmarkRequest
{
    public static readonly Uri Target = new("https://api.example.com/v1/orders?page=2");

    public static async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Target);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    /// <summary>The same GET, naming the saved credential it is sent with.</summary>
    public static async Task<int> Send(HttpClient client, string credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Target);
        request.WithCredential(credential);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (int)response.StatusCode;
    }
}
