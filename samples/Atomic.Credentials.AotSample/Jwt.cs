using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Atomic.Credentials.AotSample;

/// <summary>Checks an RS256 JWT as the partner API would: signed by the key pair, issued by and for whom it should be.</summary>
internal static class Jwt
{
    public static bool IsValid(string jwt, RSA key, string issuer, string audience)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3
            || !key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return false;
        }

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var claims = payload.RootElement;
        var aud = claims.GetProperty("aud");
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        return claims.GetProperty("iss").GetString() == issuer
            && (aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Any(a => a.GetString() == audience) : aud.GetString() == audience)
            && expires > DateTimeOffset.UtcNow;
    }
}
