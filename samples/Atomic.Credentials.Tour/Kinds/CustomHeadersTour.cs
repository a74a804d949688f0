namespace Atomic.Credentials.Tour.Kinds;

internal sealed class CustomHeadersTour : ITourKind
{
    public IEnumerable<TourStep> Steps => [new("CustomHeaders", "apikey", HttpMethod.Post, "/headers/events", () => new StringContent("{\"event\":\"tour\"}"))];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        // The keys this API issued: the first one, and the one a rotation replaces it with. It says which it saw, never the key.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [credentials["apikey:Headers:X-Api-Key"]!] = "the first key",
        };
        foreach (var rotated in saved.GetSection("Rotation").GetChildren())
        {
            keys[rotated["Headers:X-Api-Key"]!] = "the rotated key";
        }

        var expectedTenant = credentials["apikey:Headers:X-Tenant"];
        api.MapPost("/headers/events", (HttpRequest request) =>
        {
            var which = keys.GetValueOrDefault(request.Headers["X-Api-Key"].ToString());
            var tenant = request.Headers["X-Tenant"].ToString();
            var accepted = which is not null && tenant == expectedTenant;
            return Results.Json(
                new Verdict(accepted, $"X-Api-Key is {which ?? "missing or unknown"}, X-Tenant '{tenant}'"),
                statusCode: accepted ? 200 : 401);
        });
    }
}
