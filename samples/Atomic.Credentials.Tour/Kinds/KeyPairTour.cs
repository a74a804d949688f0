using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.Tour.Kinds;

/// <summary>
/// A JWT signed with the tour's private key. The demo API holds only the public half — the JWKS the
/// tour prints, as you would hand it to the partner — and verifies each JWT with it.
/// </summary>
internal sealed class KeyPairTour : ITourKind
{
    /// <summary>The public half of the tour's key as a JWKS document, as you would hand it to the partner.</summary>
    public static string? Jwks { get; private set; }

    // Two requests: the second carries the same JWT, served from the cache.
    public IEnumerable<TourStep> Steps =>
    [
        new("KeyPair", "partner", HttpMethod.Get, "/keypair/orders"),
        new("KeyPair", "partner", HttpMethod.Get, "/keypair/orders?page=2"),
    ];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        var options = new KeyPairOptions();
        credentials.GetSection("partner").Bind(options);
        var publicKey = KeyPairPublicKey.FromOptions(options, "partner");
        Jwks = publicKey.ToJwks();

        var validation = new TokenValidationParameters
        {
            IssuerSigningKeys = new JsonWebKeySet(publicKey.ToJwks()).GetSigningKeys(),
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidAlgorithms = [publicKey.Algorithm],
        };
        var verifier = new JsonWebTokenHandler();
        var seen = new ConcurrentDictionary<string, byte>();
        api.MapGet("/keypair/orders", async (HttpRequest request) =>
        {
            var header = request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Results.Json(new Verdict(false, "no Bearer JWT"), statusCode: 401);
            }

            var result = await verifier.ValidateTokenAsync(header["Bearer ".Length..], validation);
            if (!result.IsValid)
            {
                return Results.Json(new Verdict(false, "JWT refused: " + result.Exception?.GetType().Name), statusCode: 401);
            }

            var jwt = (JsonWebToken)result.SecurityToken;
            var reused = !seen.TryAdd(jwt.Id, 0);
            return Results.Json(new Verdict(
                true,
                $"{jwt.Alg} JWT kid '{jwt.Kid}', sub '{jwt.Subject}', verified with the public key; {(reused ? "same JWT as before (cached)" : "new JWT")}"));
        });
    }
}
