using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace Atomic.Credentials.Tour.Kinds;

/// <summary>
/// Stand-ins for the presets' services: Salesforce Marketing Cloud (a JSON token request, and instance
/// URLs in the answer that the handler sends to) and Marketo (a GET token request, tokens as Bearer).
/// The S3Bucket preset signs with SigV4 and is checked by <see cref="AwsSignedRequestTour"/>'s endpoint.
/// Presets are saved at run time only: they have no configured step.
/// </summary>
internal sealed class PresetsTour : ITourKind
{
    private readonly ConcurrentDictionary<string, string> issued = new(StringComparer.Ordinal);

    public IEnumerable<TourStep> Steps => [];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        var sfmc = saved.GetSection("SavedCredentials:tour/sfmc");
        var marketo = saved.GetSection("SavedCredentials:tour/marketo");

        api.MapPost("/sfmc/v2/token", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            string? Field(string name) => body.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
            if (request.ContentType != "application/json" || Field("grant_type") != "client_credentials"
                || Field("client_id") != sfmc["ClientId"] || Field("client_secret") != sfmc["ClientSecret"] || Field("account_id") != sfmc["AccountId"])
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            // The instance URL the handler must send to from now on: this demo API.
            var instance = $"{request.Scheme}://{request.Host}/sfmc/rest/";
            return Results.Json(new { access_token = Issue($"{sfmc["ClientId"]} (JSON token request, account {Field("account_id")})"), token_type = "Bearer", expires_in = 1080, rest_instance_url = instance });
        });
        api.MapGet("/sfmc/rest/platform/v1/endpoints", (HttpRequest request) => Check(request, "sent to the rest_instance_url"));

        api.MapGet("/marketo/identity/oauth/token", (HttpRequest request) =>
            request.Query["grant_type"] == "client_credentials" && request.Query["client_id"] == marketo["ClientId"] && request.Query["client_secret"] == marketo["ClientSecret"]
                ? Results.Json(new { access_token = Issue($"{marketo["ClientId"]} (GET token request)"), token_type = "bearer", expires_in = 3599 })
                : Results.Json(new { error = "invalid_client" }, statusCode: 401));
        api.MapGet("/rest/v1/leads.json", (HttpRequest request) => Check(request, "Authorization header, not the query"));
    }

    private string Issue(string holder)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        issued[token] = holder;
        return token;
    }

    private IResult Check(HttpRequest request, string how)
    {
        var header = request.Headers.Authorization.ToString();
        var holder = header.StartsWith("Bearer ", StringComparison.Ordinal) ? issued.GetValueOrDefault(header["Bearer ".Length..]) : null;
        return holder is null
            ? Results.Json(new Verdict(false, "no Bearer token this API issued"), statusCode: 401)
            : Results.Json(new Verdict(true, $"Bearer token issued to {holder}, {how}"));
    }
}
