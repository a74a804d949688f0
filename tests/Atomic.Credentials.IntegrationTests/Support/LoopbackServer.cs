using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>A real Kestrel server on loopback (127.0.0.1 unless told) with a free port, for the length of a test.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The same server, addressed as <c>localhost</c>: another host name on loopback.</summary>
    public Uri LocalhostAddress => new UriBuilder(Address) { Host = "localhost" }.Uri;

    /// <param name="map">The endpoints.</param>
    /// <param name="port">The port; a free one when 0.</param>
    /// <param name="certificate">When set, the server speaks https with the certificate it returns at each handshake.</param>
    /// <param name="host">The loopback address to listen on, e.g. 127.0.0.2 for a second host that is not 127.0.0.1.</param>
    public static async Task<LoopbackServer> StartAsync(
        Action<WebApplication> map, int port = 0, Func<X509Certificate2>? certificate = null, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"{(certificate is null ? "http" : "https")}://{host}:{port}");
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => certificate()));
        }

        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new LoopbackServer(app, new Uri(app.Urls.First()));
    }

    /// <summary>A loopback port nothing listens on (bound, then released): a server that is down.</summary>
    public static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>What a loopback endpoint received.</summary>
internal sealed class Seen
{
    private readonly List<SeenRequest> requests = [];

    public void Record(HttpRequest request)
    {
        var seen = new SeenRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)));
        lock (requests)
        {
            requests.Add(seen);
        }
    }

    /// <summary>The headers of each request, in the order they came.</summary>
    public IReadOnlyList<IHeaderDictionary> Requests => [.. All.Select(r => r.Headers)];

    /// <summary>Each request whole, in the order they came.</summary>
    public IReadOnlyList<SeenRequest> All
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }
}

/// <summary>One request a loopback endpoint received.</summary>
internal sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IHeaderDictionary Headers);
