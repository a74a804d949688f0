using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;

namespace Atomic.Credentials.Tour;

/// <summary>
/// Starts the demo API on a free loopback port, then runs the platform's workflow on the embedded
/// store (save, list, use per request, rotate, delete) and, briefly, the configured-at-start-up path.
/// </summary>
internal static class DemoTour
{
    /// <summary>The store file used when the tour is given none: created on first use, reused after.</summary>
    public static string DefaultStorePath { get; } = Path.Combine(Path.GetTempPath(), "atomic-credentials-tour", "credentials.db");

    public static async Task<int> RunAsync(IReadOnlyList<ITourKind> kinds, string storePath)
    {
        var clock = Stopwatch.StartNew();
        var settings = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json")
            .Build();
        var credentials = settings.GetSection("AtomicCredentials");
        var toSave = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("credentials-to-save.json").Build();

        // The demo API: checks each credential itself, as a partner's server would, and counts what reaches it.
        var apiBuilder = WebApplication.CreateSlimBuilder();
        apiBuilder.Logging.ClearProviders();
        apiBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var api = apiBuilder.Build();
        var received = 0;
        api.Use((context, next) =>
        {
            Interlocked.Increment(ref received);
            return next(context);
        });
        foreach (var kind in kinds)
        {
            kind.MapDemoEndpoints(api, credentials, toSave);
        }

        await api.StartAsync();
        var baseAddress = new Uri(api.Urls.First());

        // The client side. Saved credentials: a SQLite file, secrets encrypted with Data Protection whose
        // keys live next to it (so the next run decrypts this run's rows), and one client whose requests
        // each name their credential. Configured credentials: appsettings.json, one client per credential.
        storePath = Path.GetFullPath(storePath);
        var storeFolder = Path.GetDirectoryName(storePath)!;
        Directory.CreateDirectory(storeFolder);
        var reused = File.Exists(storePath);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(settings);
        services.AddDataProtection()
            .SetApplicationName("Atomic.Credentials.Tour")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(storeFolder, "keys")));
        services.AddAtomicCredentialStore(o => o.UseSqlite(storePath));
        services.AddHttpClient("tour", client => client.BaseAddress = baseAddress).AddAtomicCredentialHandler();

        services.AddAtomicCredentials(credentials);
        var configuredSteps = kinds.SelectMany(kind => kind.Steps).DistinctBy(step => step.Credential).ToList();
        foreach (var credential in configuredSteps.Select(step => step.Credential))
        {
            services.AddHttpClient(credential, client => client.BaseAddress = baseAddress).AddAtomicCredentialHandler(credential);
        }

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var store = provider.GetRequiredService<ICredentialStore>();
        var clients = provider.GetRequiredService<IHttpClientFactory>();
        var client = clients.CreateClient("tour");

        Console.WriteLine($"Atomic.Credentials tour — demo API on {baseAddress}");
        Console.WriteLine($"Saved credentials: {storePath} ({(reused ? "reused" : "created")}; Data Protection keys in {Path.Combine(storeFolder, "keys")})");

        // 1. Save: one credential of each kind and preset, as a user presses Save. The definition is the JSON
        //    object of one appsettings.json entry; saving it again (a second run) replaces it: its version rises.
        using var definitions = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "credentials-to-save.json"))
                .Replace("http://demo-api", baseAddress.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal));
        foreach (var definition in definitions.RootElement.GetProperty("SavedCredentials").EnumerateObject())
        {
            await store.SaveAsync(definition.Name, definition.Value);
        }

        var listing = new TourTable("1. Saved, as the store lists them (no secret):", "Name", "Type", "Version", "Non-secret fields");
        foreach (var info in await store.ListAsync("tour/"))
        {
            listing.Add(info.Name, info.Type, $"v{info.Version}", info.Fields.GetRawText());
        }

        listing.Print();

        // 2. One client; each request names its saved credential.
        var requests = new RequestTable("2. One client, each request naming its credential (request.WithCredential(name)):");
        Func<HttpContent> csv = () => new StringContent("region,total\neu-west-1,42\n", System.Text.Encoding.UTF8, "text/csv");
        TourStep[] steps =
        [
            new("BasicAuth", "tour/legacy", HttpMethod.Get, "/basic/orders"),
            new("CustomHeaders", "tour/apikey", HttpMethod.Post, "/headers/events", () => new StringContent("{\"event\":\"tour\"}"), Expect: "the first key"),
            new("OAuthClientCredentials", "tour/crm", HttpMethod.Get, "/oauth/crm/contacts"),
            new("KeyPair", "tour/partner", HttpMethod.Get, "/keypair/orders"),
            new("AwsSignedRequest", "tour/s3", HttpMethod.Put, "/aws/tour-bucket/reports/2026 Q4 (final).csv", csv),
            new("S3Bucket", "tour/exports", HttpMethod.Put, "/aws/tour-exports/daily/2026-12-07.csv", csv),
            new("SalesforceMarketingCloud", "tour/sfmc", HttpMethod.Get, "https://tour.rest.marketingcloudapis.com/platform/v1/endpoints"),
            new("Marketo", "tour/marketo", HttpMethod.Get, "/rest/v1/leads.json?filterType=email&filterValues=ada%40example.com"),
        ];
        foreach (var step in steps)
        {
            await SendAsync(requests, step, request => client.SendAsync(request.WithCredential(step.Credential)));
        }

        requests.Print();

        // 3. Rotate: save the credential again with a new secret; the next request carries it.
        var rotation = definitions.RootElement.GetProperty("Rotation").EnumerateObject().Single();
        var before = await store.GetInfoAsync(rotation.Name);
        var rotated = await store.SaveAsync(rotation.Name, rotation.Value);
        var rotate = new RequestTable($"3. {rotation.Name} saved again with a new X-Api-Key (v{before?.Version} → v{rotated.Version}); its next request:");
        await SendAsync(rotate, steps[1] with { Expect = "the rotated key" }, request => client.SendAsync(request.WithCredential(rotation.Name)));
        rotate.Print();

        // 4. Delete: the credential's next request is refused before anything is sent.
        var deleted = steps[0];
        await store.DeleteAsync(deleted.Credential);
        var delete = new RequestTable($"4. {deleted.Credential} deleted; its next request:");
        var receivedBefore = Volatile.Read(ref received);
        try
        {
            using var request = new HttpRequestMessage(deleted.Method, deleted.Path).WithCredential(deleted.Credential);
            using var response = await client.SendAsync(request);
            delete.Add(deleted.Credential, $"{deleted.Method} {deleted.Path}", $"{(int)response.StatusCode}: it was sent", "sent", false);
        }
        catch (CredentialException exception)
        {
            var nothingArrived = Volatile.Read(ref received) == receivedBefore;
            delete.Add(deleted.Credential, $"{deleted.Method} {deleted.Path}",
                $"nothing ({(nothingArrived ? "no request reached the demo API" : "A REQUEST REACHED THE DEMO API")}); CredentialException: {exception.Message}",
                RequestTable.RefusedNotSent, nothingArrived);
        }

        delete.Print();

        // 5. The other path, briefly: credentials configured at start-up (appsettings.json), a client per credential.
        var configured = new RequestTable("5. Configured at start-up instead (appsettings.json, AddAtomicCredentialHandler(name)):");
        foreach (var step in configuredSteps)
        {
            await SendAsync(configured, step, request => clients.CreateClient(step.Credential).SendAsync(request));
        }

        configured.Print();
        Console.WriteLine();
        Console.WriteLine($"KeyPair: the public key the partner registers, as JWKS: {Kinds.KeyPairTour.Jwks}");
        await api.StopAsync();

        var ok = requests.AsExpected && rotate.AsExpected && delete.AsExpected && configured.AsExpected;
        Console.WriteLine();
        Console.WriteLine(ok
            ? $"Every verdict as expected ({clock.Elapsed.TotalSeconds:0.0} s). Run it again: the store file is reused, the verdicts are the same."
            : "Some verdicts were not as expected.");
        return ok ? 0 : 1;
    }

    private static async Task SendAsync(RequestTable table, TourStep step, Func<HttpRequestMessage, Task<HttpResponseMessage>> send)
    {
        var label = $"{step.Method} {step.Path}";
        try
        {
            using var request = new HttpRequestMessage(step.Method, step.Path) { Content = step.Body?.Invoke() };
            using var response = await send(request);
            var verdict = await response.Content.ReadFromJsonAsync<Verdict>() ?? new Verdict(false, "empty answer");
            var accepted = verdict.Accepted && response.IsSuccessStatusCode;
            var expected = accepted && (step.Expect is null || verdict.Saw.Contains(step.Expect, StringComparison.Ordinal));
            table.Add(step.Credential, label, verdict.Saw, accepted ? RequestTable.Accepted : "rejected", expected);
        }
        catch (Exception exception)
        {
            table.Add(step.Credential, label, $"{exception.GetType().Name}: {exception.Message}", "failed", false);
        }
    }
}
