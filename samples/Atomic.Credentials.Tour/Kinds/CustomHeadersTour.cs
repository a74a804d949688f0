namespace Atomic.Credentials.Tour.Kinds;

internal sealed class CustomHeadersTour : ITourKind
{
    public IEnumerable<TourStep> Steps => [new("CustomHeaders", "apikey", HttpMethod.Post, "/headers/events", () => new StringContent("{\"event\":\"tour\"}"))];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials)
    {
        var expectedKey = credentials["apikey:Headers:X-Api-Key"];
        var expectedTenant = credentials["apikey:Headers:X-Tenant"];
        api.MapPost("/headers/events", (HttpRequest request) =>
        {
            var keyOk = request.Headers["X-Api-Key"] == expectedKey;
            var tenant = request.Headers["X-Tenant"].ToString();
            var accepted = keyOk && tenant == expectedTenant;
            return Results.Json(
                new Verdict(accepted, $"X-Api-Key {(keyOk ? "matches" : "missing or wrong")}, X-Tenant '{tenant}'"),
                statusCode: accepted ? 200 : 401);
        });
    }
}
