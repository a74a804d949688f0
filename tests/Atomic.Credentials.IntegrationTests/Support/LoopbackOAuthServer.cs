using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// A token endpoint and an API on 127.0.0.1 (Kestrel, in the test process): <c>POST /token</c>
/// issues bearer tokens to one client (client_credentials, secret in the body) and counts them;
/// <c>GET /api/{caller}</c> answers 200 for a token it issued and not yet expired, 401 otherwise,
/// and remembers the last token each caller used.
/// </summary>
internal sealed class LoopbackOAuthServer : IAsyncDisposable
{
    public const string ClientId = "fleet-client";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> issued = new(StringComparer.Ordinal);
    private int tokenRequests;
    private long lifetimeTicks;

    private LoopbackOAuthServer(WebApplication app, string clientSecret, TimeSpan tokenLifetime)
    {
        this.app = app;
        ClientSecret = clientSecret;
        lifetimeTicks = tokenLifetime.Ticks;
    }

    public string ClientSecret { get; }

    /// <summary>The lifetime (expires_in) of the tokens issued from now on.</summary>
    public TimeSpan TokenLifetime
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref lifetimeTicks));
        set => Volatile.Write(ref lifetimeTicks, value.Ticks);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public Uri TokenUrl => new(BaseAddress, "/token");

    public int TokenRequests => Volatile.Read(ref tokenRequests);

    public IReadOnlyCollection<string> IssuedTokens => [.. issued.Keys];

    public ConcurrentDictionary<string, string> LastTokenBy { get; } = new(StringComparer.Ordinal);

    public static async Task<LoopbackOAuthServer> StartAsync(TimeSpan tokenLifetime)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackOAuthServer(app, "s3cr3t-" + Guid.NewGuid().ToString("N"), tokenLifetime);
        app.MapPost("/token", (Delegate)server.TokenAsync);
        app.MapGet("/api/{caller}", (Delegate)server.ServeApi);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public Uri Api(string caller) => new(BaseAddress, "/api/" + caller);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var number = Interlocked.Increment(ref tokenRequests);
        var token = $"at-{number}-{Guid.NewGuid():N}";
        var lifetime = TokenLifetime;
        issued[token] = DateTimeOffset.UtcNow + lifetime;
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = (int)lifetime.TotalSeconds });
    }

    private IResult ServeApi(string caller, HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : string.Empty;
        if (!issued.TryGetValue(token, out var expires) || expires <= DateTimeOffset.UtcNow)
        {
            return Results.StatusCode(401);
        }

        LastTokenBy[caller] = token;
        return Results.Text("ok");
    }
}
