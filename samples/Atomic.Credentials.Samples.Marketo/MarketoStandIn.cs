using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Samples.Marketo;

/// <summary>
/// A loopback stand-in shaped like Marketo: <c>GET /identity/oauth/token?grant_type=…&amp;client_id=…&amp;client_secret=…</c>
/// and <c>GET /rest/v1/stats/usage.json</c>, which answers the first token it sees with HTTP 200 and
/// error 601 (as Marketo does for a revoked token) and wants <c>Authorization: Bearer</c>.
/// </summary>
internal sealed class MarketoStandIn : IAsyncDisposable
{
    private const string ClientId = "sample-client-id";
    private const string ClientSecret = "sample client secret+/=";
    private readonly WebApplication app;
    private int tokenRequests;
    private int apiRequests;

    private MarketoStandIn(WebApplication app) => this.app = app;

    public int TokenRequests => tokenRequests;

    public int ApiRequests => apiRequests;

    public static async Task<MarketoStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new MarketoStandIn(app);
        app.MapGet("/identity/oauth/token", standIn.Token);
        app.MapGet("/rest/v1/stats/usage.json", standIn.Usage);
        await app.StartAsync();
        return standIn;
    }

    public Dictionary<string, string?> Credential(string name) => new()
    {
        [$"AtomicCredentials:{name}:IdentityUrl"] = app.Urls.First() + "/identity",
        [$"AtomicCredentials:{name}:ClientId"] = ClientId,
        [$"AtomicCredentials:{name}:ClientSecret"] = ClientSecret,
    };

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private IResult Token(HttpRequest request)
    {
        if (request.Query["grant_type"] != "client_credentials" || request.Query["client_id"] != ClientId || request.Query["client_secret"] != ClientSecret)
        {
            return Results.Json(new { error = "unauthorized", error_description = "Bad client credentials" }, statusCode: 401);
        }

        var n = Interlocked.Increment(ref tokenRequests);
        return Results.Json(new { access_token = $"cdf01657-110d-4155-99a7-f986b2ff13a0:int{n}", token_type = "bearer", expires_in = 3599, scope = "sample@example.com" });
    }

    private IResult Usage(HttpRequest request)
    {
        Interlocked.Increment(ref apiRequests);
        var authorization = request.Headers.Authorization.ToString();
        if (authorization == "Bearer cdf01657-110d-4155-99a7-f986b2ff13a0:int1")
        {
            return Results.Json(new { requestId = "e42b#14272d07d78", success = false, errors = new[] { new { code = "601", message = "Access token invalid" } } });
        }

        return authorization.StartsWith("Bearer cdf01657-", StringComparison.Ordinal)
            ? Results.Json(new { requestId = "1d62#14272d07d78", result = new[] { new { date = "2026-11-28", total = 2 } }, success = true })
            : Results.Json(new { requestId = "0", success = false, errors = new[] { new { code = "601", message = "Access token invalid" } } });
    }
}
