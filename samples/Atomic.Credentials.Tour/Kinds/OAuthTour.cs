using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Atomic.Credentials.Tour.Kinds;

/// <summary>
/// OAuth client credentials, both request schemes: "crm" posts a form (Body), "marketing" sends a
/// GET with the parameters merged into the Identity URL's own query (Query). The demo API holds the
/// token endpoint too, and its resource endpoints accept only tokens it issued.
/// </summary>
internal sealed class OAuthTour : ITourKind
{
    private static readonly string[] Credentials = ["crm", "marketing"];
    private readonly ConcurrentDictionary<string, string> issued = new(StringComparer.Ordinal);
    private int tokenRequests;

    public IEnumerable<TourStep> Steps =>
    [
        new("OAuth (Body)", "crm", HttpMethod.Get, "/oauth/crm/contacts"),
        new("OAuth (Body)", "crm", HttpMethod.Get, "/oauth/crm/contacts?page=2"),
        new("OAuth (Query)", "marketing", HttpMethod.Get, "/oauth/marketing/leads"),
    ];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        // appsettings.json cannot know the demo API's free port: point both Identity URLs at it once it listens.
        api.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = new Uri(api.Urls.First());
            foreach (var name in Credentials)
            {
                var configured = new Uri(credentials[$"{name}:IdentityUrl"]!);
                credentials[$"{name}:IdentityUrl"] = new UriBuilder(configured) { Host = address.Host, Port = address.Port }.Uri.AbsoluteUri;
            }
        });

        // Body scheme: RFC 6749 §4.4.2, a form POST.
        api.MapPost("/oauth2/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            return Issue(credentials.GetSection("crm"), form["grant_type"], form["client_id"], form["client_secret"], form["scope"]);
        });

        // Query scheme: a GET whose query is the Identity URL's own (tenant) plus the credential's parameters.
        api.MapGet("/identity/oauth/token", (HttpRequest request) => request.Query["tenant"] != "tour"
            ? Results.Json(new { error = "invalid_request", error_description = "tenant missing from the query" }, statusCode: 400)
            : Issue(credentials.GetSection("marketing"), request.Query["grant_type"], request.Query["client_id"], request.Query["client_secret"], request.Query["scope"]));

        api.MapGet("/oauth/crm/contacts", (HttpRequest request) => Check(request, "crm", credentials));
        api.MapGet("/oauth/marketing/leads", (HttpRequest request) => Check(request, "marketing", credentials));
    }

    private IResult Issue(IConfiguration expected, string? grantType, string? clientId, string? clientSecret, string? scope)
    {
        if (grantType != "client_credentials" || clientId != expected["ClientId"] || clientSecret != expected["ClientSecret"])
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        Interlocked.Increment(ref tokenRequests);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        issued[token] = string.IsNullOrEmpty(scope) ? $"{clientId} (no scope)" : $"{clientId} (scope {scope})";
        return Results.Json(new { access_token = token, token_type = "bearer", expires_in = 3600 });
    }

    private IResult Check(HttpRequest request, string credential, IConfiguration credentials)
    {
        var header = request.Headers.Authorization.ToString();
        var known = header.StartsWith("Bearer ", StringComparison.Ordinal) && issued.TryGetValue(header["Bearer ".Length..], out var holder)
            ? holder
            : null;
        var accepted = known is not null && known.StartsWith(credentials[$"{credential}:ClientId"] + " ", StringComparison.Ordinal);
        return Results.Json(
            new Verdict(accepted, accepted
                ? $"Bearer token issued to {known}; {Volatile.Read(ref tokenRequests)} token request(s) so far"
                : "no Bearer token this API issued"),
            statusCode: accepted ? 200 : 401);
    }
}
