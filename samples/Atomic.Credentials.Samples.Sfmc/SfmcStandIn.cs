using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Samples.Sfmc;

/// <summary>
/// A loopback stand-in shaped like Salesforce Marketing Cloud: <c>POST /v2/token</c> takes the
/// documented JSON body and answers with a 20-minute token and instance URLs (its own address);
/// <c>GET /platform/v1/endpoints</c> wants that token.
/// </summary>
internal sealed class SfmcStandIn : IAsyncDisposable
{
    private const string ClientId = "sample-client-id";
    private const string ClientSecret = "sample-client-secret";
    private readonly WebApplication app;
    private int tokenRequests;

    private SfmcStandIn(WebApplication app) => this.app = app;

    public int TokenRequests => tokenRequests;

    private string Address => app.Urls.First() + "/";

    public static async Task<SfmcStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new SfmcStandIn(app);
        app.MapPost("/v2/token", standIn.TokenAsync);
        app.MapGet("/platform/v1/endpoints", (HttpRequest request) =>
            request.Headers.Authorization == "Bearer sample-access-token-1"
                ? Results.Json(new { count = 1, items = new[] { new { type = "rest", url = standIn.Address } } })
                : Results.Unauthorized());
        await app.StartAsync();
        return standIn;
    }

    public Dictionary<string, string?> Credential(string name) => new()
    {
        [$"AtomicCredentials:{name}:Subdomain"] = "sample-tenant",
        [$"AtomicCredentials:{name}:AuthBaseUrl"] = Address,
        [$"AtomicCredentials:{name}:ClientId"] = ClientId,
        [$"AtomicCredentials:{name}:ClientSecret"] = ClientSecret,
        [$"AtomicCredentials:{name}:AccountId"] = "12345",
    };

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        if (request.ContentType != "application/json")
        {
            return Results.BadRequest(new { error = "invalid_request", error_description = "JSON body expected" });
        }

        using var body = await JsonDocument.ParseAsync(request.Body);
        var fields = body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        if (fields.GetValueOrDefault("grant_type") != "client_credentials" || fields.GetValueOrDefault("client_id") != ClientId
            || fields.GetValueOrDefault("client_secret") != ClientSecret || fields.GetValueOrDefault("account_id") != "12345")
        {
            return Results.Json(new { error = "invalid_client", error_description = "Invalid client ID." }, statusCode: 401);
        }

        var n = Interlocked.Increment(ref tokenRequests);
        return Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = $"sample-access-token-{n}",
            ["token_type"] = "Bearer",
            ["expires_in"] = 1080,
            ["scope"] = "email_read email_write",
            ["soap_instance_url"] = Address,
            ["rest_instance_url"] = Address,
        });
    }
}
