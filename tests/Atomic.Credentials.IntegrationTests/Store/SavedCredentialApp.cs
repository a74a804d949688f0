using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Process A of the saved-credential end-to-end tests: a real loopback receiver that records what
/// each request carried (and answers token requests on <c>/token</c>, <c>/v2/token</c> and
/// <c>/identity/oauth/token</c>), and an <see cref="IHttpClientFactory"/> client with the no-name
/// handler over a store on the storage the test registers. Its Data Protection keys live in
/// <see cref="KeysFolder"/>, which another process (<see cref="StoreWriterProcess"/>) shares.
/// </summary>
internal sealed class SavedCredentialApp : IAsyncDisposable
{
    /// <summary>The FleetClient's <c>StoreWriter.ApplicationName</c>: one key ring for both processes.</summary>
    public const string ApplicationName = "atomic-store-e2e";

    private readonly List<Received> received = [];
    private ServiceProvider provider = null!;
    private LoopbackServer receiver = null!;
    private int tokens;

    private SavedCredentialApp() => KeysFolder = Directory.CreateTempSubdirectory("atomic-keys-").FullName;

    public string KeysFolder { get; }

    public Uri Address => receiver.Address;

    public ICredentialStore Store => provider.GetRequiredService<ICredentialStore>();

    /// <summary>The store's change feed, as the handler's state cache hears it.</summary>
    public IDisposable Watch(Action<string?> changed) => provider.GetRequiredService<CredentialStore>().Watch(changed);

    public IReadOnlyList<Received> Received
    {
        get
        {
            lock (received)
            {
                return [.. received];
            }
        }
    }

    /// <param name="storage">Registers the storage (and its options) the store keeps its rows in.</param>
    public static async Task<SavedCredentialApp> StartAsync(Action<IServiceCollection> storage)
    {
        var app = new SavedCredentialApp();
        app.receiver = await LoopbackServer.StartAsync(web => web.Map("/{**path}", (Delegate)app.ReceiveAsync));
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(new DirectoryInfo(app.KeysFolder));
        storage(services);
        services.AddHttpClient("outbound").AddAtomicCredentialHandler();
        app.provider = services.BuildServiceProvider();
        return app;
    }

    /// <summary>Sends <c>GET {receiver}/{path}</c> naming <paramref name="name"/>; returns the receiver's status.</summary>
    public async Task<HttpStatusCode> SendAsync(string name, string path = "hook")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Address, path));
        request.WithCredential(name);
        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("outbound").SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Sends a request naming <paramref name="name"/> every ~20 ms, one at a time, until disposed; counts what failed.</summary>
    public Sender StartSending(string name, string path = "hook") => new(this, name, path);

    /// <summary>The first request received after <paramref name="since"/> that matches; fails after <paramref name="timeout"/>.</summary>
    public async Task<Received> WaitForAsync(Func<Received, bool> match, long since, TimeSpan timeout, string what)
    {
        var waiting = Stopwatch.GetTimestamp();
        while (true)
        {
            if (Received.FirstOrDefault(r => r.At >= since && match(r)) is { } found)
            {
                return found;
            }

            if (Stopwatch.GetElapsedTime(waiting) > timeout)
            {
                Assert.Fail($"no request {what} within {timeout.TotalSeconds} s");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A Basic definition for the receiver's host.</summary>
    public static JsonElement Basic(string password, string user = "svc") => JsonDocument.Parse(
        $$"""{ "Type": "BasicAuth", "Username": "{{user}}", "Password": "{{password}}", "AllowedHosts": ["127.0.0.1"] }""").RootElement.Clone();

    /// <summary>The password of a request's Basic header, or null.</summary>
    public static string? PasswordOf(Received request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Basic ", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2)[1]
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        await receiver.DisposeAsync();
        Directory.Delete(KeysFolder, recursive: true);
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var seen = new Received(
            Stopwatch.GetTimestamp(), request.Method, request.Path.Value ?? string.Empty, request.QueryString.Value ?? string.Empty,
            new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)), body);
        lock (received)
        {
            received.Add(seen);
        }

        return seen.Path is "/token" or "/v2/token" or "/identity/oauth/token"
            ? Results.Json(new { access_token = $"at-{Interlocked.Increment(ref tokens)}-{Guid.NewGuid():N}", token_type = request.Headers.ContainsKey("DPoP") ? "DPoP" : "Bearer", expires_in = 3600 })
            : Results.Text("ok");
    }

    /// <summary>Requests naming one credential, one at a time about every 20 ms, until disposed.</summary>
    internal sealed class Sender : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public Sender(SavedCredentialApp app, string name, string path) => loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (await app.SendAsync(name, path) is not HttpStatusCode.OK and var status)
                    {
                        Failures.Enqueue(status.ToString());
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or CredentialException or InvalidOperationException)
                {
                    Failures.Enqueue(exception.GetType().Name + ": " + exception.Message);
                }

                await Task.Delay(20);
            }
        });

        public ConcurrentQueue<string> Failures { get; } = new();

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }
}

/// <summary>One request the receiver got, stamped with <see cref="Stopwatch.GetTimestamp"/> when it arrived.</summary>
internal sealed record Received(long At, string Method, string Path, string Query, IHeaderDictionary Headers, string Body);
