namespace Atomic.Credentials.Tour;

/// <summary>
/// Runs the tour against your own endpoints. The file holds an <c>AtomicCredentials</c> section (as
/// in appsettings.json) and a list of requests:
/// <code>
/// { "AtomicCredentials": { "crm": { "Type": "OAuthClientCredentials", … } },
///   "Requests": [ { "Credential": "crm", "Method": "GET", "Url": "https://api.example.com/v1/me" } ] }
/// </code>
/// A 2xx answer counts as accepted.
/// </summary>
internal static class RealEndpoints
{
    public static async Task<int> RunAsync(string path)
    {
        var settings = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build();
        var services = new ServiceCollection();
        services.AddAtomicCredentials(settings.GetSection("AtomicCredentials"));
        var requests = settings.GetSection("Requests").GetChildren()
            .Select(r => (Credential: r["Credential"] ?? "", Method: new HttpMethod(r["Method"] ?? "GET"), Url: new Uri(r["Url"] ?? "")))
            .ToList();
        foreach (var credential in requests.Select(r => r.Credential).Distinct())
        {
            services.AddHttpClient(credential).AddAtomicCredentialHandler(credential);
        }

        await using var provider = services.BuildServiceProvider();
        var clients = provider.GetRequiredService<IHttpClientFactory>();
        var table = new RequestTable($"Atomic.Credentials tour — {path}");
        foreach (var (credential, method, url) in requests)
        {
            try
            {
                using var request = new HttpRequestMessage(method, url);
                using var response = await clients.CreateClient(credential).SendAsync(request);
                table.Add(credential, $"{method} {url}", $"{(int)response.StatusCode} {response.ReasonPhrase}", RequestTable.Accepted, response.IsSuccessStatusCode);
            }
            catch (Exception exception)
            {
                table.Add(credential, $"{method} {url}", exception.Message, "failed", false);
            }
        }

        table.Print();
        return table.AsExpected ? 0 : 1;
    }
}
