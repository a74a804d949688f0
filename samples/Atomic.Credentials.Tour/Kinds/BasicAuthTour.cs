using System.Text;

namespace Atomic.Credentials.Tour.Kinds;

internal sealed class BasicAuthTour : ITourKind
{
    public IEnumerable<TourStep> Steps => [new("BasicAuth", "legacy", HttpMethod.Get, "/basic/orders")];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        var expectedUser = credentials["legacy:Username"];
        var expectedPassword = credentials["legacy:Password"];
        api.MapGet("/basic/orders", (HttpRequest request) =>
        {
            var header = request.Headers.Authorization.ToString();
            if (!header.StartsWith("Basic ", StringComparison.Ordinal))
            {
                return Results.Json(new Verdict(false, "no Basic authorization"), statusCode: 401);
            }

            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            var user = decoded[..colon];
            var passwordOk = decoded[(colon + 1)..] == expectedPassword;
            var accepted = user == expectedUser && passwordOk;
            return Results.Json(
                new Verdict(accepted, $"Basic user '{user}', password {(passwordOk ? "matches" : "differs")} (UTF-8)"),
                statusCode: accepted ? 200 : 401);
        });
    }
}
