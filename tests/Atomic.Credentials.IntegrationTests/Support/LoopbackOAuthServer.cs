using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>
/// A token endpoint and an API on 127.0.0.1 (Kestrel, in the test process): <c>POST /token</c>
/// issues bearer tokens to one client (client_credentials, secret in the body) and counts them, and
/// so do <c>POST /v2/token</c> (a JSON body, as Salesforce Marketing Cloud asks) and
/// <c>GET /identity/oauth/token?…</c> (the query, as Marketo asks);
/// <c>GET /api/{caller}</c> answers 200 for a token it issued and not yet expired, 401 otherwise,
/// and remembers the last token each caller used.
/// </summary>
internal sealed class LoopbackOAuthServer : IAsyncDisposable
{
    public const string ClientId = "fleet-client";

    private LoopbackServer host = null!;
    private readonly ConcurrentDictionary<string, DateTimeOffset> issued = new(StringComparer.Ordinal);
    private int tokenRequests;
    private long lifetimeTicks;

    private LoopbackOAuthServer(string clientSecret, TimeSpan tokenLifetime)
    {
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

    public Uri BaseAddress => host.Address;

    public Uri TokenUrl => new(BaseAddress, "/token");

    public int TokenRequests => Volatile.Read(ref tokenRequests);

    public IReadOnlyCollection<string> IssuedTokens => [.. issued.Keys];

    /// <summary>The <c>rest_instance_url</c> of the tokens issued from now on (Salesforce Marketing Cloud's); none when null.</summary>
    public Uri? RestInstanceUrl { get; set; }

    public ConcurrentDictionary<string, string> LastTokenBy { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs before a request to <c>POST /token</c> is answered: it may hold it, or answer it itself (a non-null result).</summary>
    public Func<HttpContext, Task<IResult?>>? BeforeToken { get; set; }

    public static async Task<LoopbackOAuthServer> StartAsync(TimeSpan tokenLifetime)
    {
        var server = new LoopbackOAuthServer("s3cr3t-" + Guid.NewGuid().ToString("N"), tokenLifetime);
        server.host = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/token", (Delegate)server.TokenAsync);
            app.MapPost("/v2/token", (Delegate)server.JsonTokenAsync);
            app.MapGet("/identity/oauth/token", (HttpRequest request) =>
                server.Issue(request.Query["grant_type"], request.Query["client_id"], request.Query["client_secret"]));
            app.MapGet("/api/{caller}", (Delegate)server.ServeApi);
        });
        return server;
    }

    public Uri Api(string caller) => new(BaseAddress, "/api/" + caller);

    /// <summary>Registers an OAuth credential for this server (its scope is its name) and a client of the same name using it.</summary>
    public void AddCredential(IServiceCollection services, string name)
    {
        services.AddAtomicCredential(name, (OAuthClientCredentialsOptions o) =>
        {
            o.IdentityUrl = TokenUrl.ToString();
            o.ClientId = ClientId;
            o.ClientSecret = ClientSecret;
            o.Scope = name;
        });
        services.AddHttpClient(name).AddAtomicCredentialHandler(name);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (BeforeToken is { } before && await before(context) is { } answer)
        {
            return answer;
        }

        return Issue(form["grant_type"], form["client_id"], form["client_secret"]);
    }

    private async Task<IResult> JsonTokenAsync(HttpContext context)
    {
        using var body = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
        string? Field(string name) => body.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
        return Issue(Field("grant_type"), Field("client_id"), Field("client_secret"));
    }

    private IResult Issue(string? grantType, string? clientId, string? clientSecret)
    {
        if (grantType != "client_credentials" || clientId != ClientId || clientSecret != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var number = Interlocked.Increment(ref tokenRequests);
        var token = $"at-{number}-{Guid.NewGuid():N}";
        var lifetime = TokenLifetime;
        issued[token] = DateTimeOffset.UtcNow + lifetime;
        return Results.Json(new
        {
            access_token = token,
            token_type = "Bearer",
            expires_in = (int)lifetime.TotalSeconds,
            rest_instance_url = RestInstanceUrl?.AbsoluteUri,
        });
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
