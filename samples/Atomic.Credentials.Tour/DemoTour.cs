using System.Net.Http.Json;

namespace Atomic.Credentials.Tour;

/// <summary>Starts the demo API on a free loopback port and sends each kind's requests to it.</summary>
internal static class DemoTour
{
    public static async Task<int> RunAsync(IReadOnlyList<ITourKind> kinds)
    {
        var settings = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json")
            .Build();
        var credentials = settings.GetSection("AtomicCredentials");

        // The demo API: checks each credential itself, as a partner's server would.
        var apiBuilder = WebApplication.CreateSlimBuilder();
        apiBuilder.Logging.ClearProviders();
        apiBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var api = apiBuilder.Build();
        foreach (var kind in kinds)
        {
            kind.MapDemoEndpoints(api, credentials);
        }

        await api.StartAsync();
        var baseAddress = new Uri(api.Urls.First());

        // The client side: credentials from appsettings.json, one HttpClient per credential.
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(settings);
        services.AddAtomicCredentials(credentials);
        var steps = kinds.SelectMany(kind => kind.Steps).ToList();
        foreach (var credential in steps.Select(step => step.Credential).Distinct())
        {
            services.AddHttpClient(credential, client => client.BaseAddress = baseAddress)
                .AddAtomicCredentialHandler(credential);
        }

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var clients = provider.GetRequiredService<IHttpClientFactory>();

        var table = new TourTable($"Atomic.Credentials tour — demo API on {baseAddress}");
        foreach (var step in steps)
        {
            try
            {
                using var request = new HttpRequestMessage(step.Method, step.Path) { Content = step.Body?.Invoke() };
                using var response = await clients.CreateClient(step.Credential).SendAsync(request);
                var verdict = await response.Content.ReadFromJsonAsync<Verdict>()
                    ?? new Verdict(false, "empty answer");
                table.Add(step.Kind, $"{step.Method} {step.Path}", verdict.Saw, verdict.Accepted && response.IsSuccessStatusCode);
            }
            catch (Exception exception)
            {
                table.Add(step.Kind, $"{step.Method} {step.Path}", exception.Message, false);
            }
        }

        table.Print();
        await api.StopAsync();
        return table.AllAccepted ? 0 : 1;
    }
}
