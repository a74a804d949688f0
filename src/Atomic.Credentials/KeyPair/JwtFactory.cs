using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.KeyPair;

/// <summary>
/// The one place the package makes a signed JWT (compact JWS), for key-pair credentials and for
/// OAuth <c>PrivateKeyJwt</c> client assertions (RFC 7523: <c>iss</c> = <c>sub</c> = client id,
/// <c>aud</c> = token endpoint).
/// </summary>
/// <remarks>
/// <c>iat</c> = <c>nbf</c> = now truncated to the second (JWT times are whole seconds, and a
/// verifier compares them with its own clock), <c>exp</c> = <c>iat</c> + lifetime, and a fresh
/// random <c>jti</c> for every token so a verifier that rejects replays accepts each one.
/// ES* signatures are IEEE P1363 (r‖s), as JWS requires, not DER.
/// </remarks>
internal static class JwtFactory
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static SignedJwt Create(KeyPairSigningKey key, JwtClaims claims, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(claims);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((issuedAt + claims.Lifetime).ToUnixTimeSeconds());

        var payload = new Dictionary<string, object>(StringComparer.Ordinal) { ["jti"] = NewJwtId() };
        if (claims.Subject is not null)
        {
            payload["sub"] = claims.Subject;
        }

        if (claims.Extra is not null)
        {
            foreach (var (name, value) in claims.Extra)
            {
                payload[name] = value;
            }
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = claims.Issuer,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Claims = payload,
            SigningCredentials = key.Credentials,
            TokenType = claims.TokenType,
            AdditionalHeaderClaims = claims.Header,
        };
        switch (claims.Audiences.Count)
        {
            case 0:
                break;
            case 1:
                descriptor.Audience = claims.Audiences[0];
                break;
            default:
                foreach (var audience in claims.Audiences)
                {
                    descriptor.Audiences.Add(audience);
                }

                break;
        }

        return new SignedJwt(Handler.CreateToken(descriptor), issuedAt, expiresAt);
    }

    // 128 random bits, base64url: unique without coordination between processes.
    private static string NewJwtId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
}
