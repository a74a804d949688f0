using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.AotSample;

/// <summary>
/// Verifies AWS Signature Version 4 on a request as AWS would, for the simple requests this sample
/// sends (GET, a path of unreserved characters, no query): recomputes the signature from the secret
/// key and compares it with the one in <c>Authorization</c>.
/// </summary>
internal static class SigV4
{
    public static Func<HttpListenerRequest, bool> Verifier(string accessKeyId, string secretAccessKey, string region, string service) => request =>
    {
        // AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
        var authorization = request.Headers["Authorization"];
        var date = request.Headers["X-Amz-Date"];
        var scopePrefix = $"AWS4-HMAC-SHA256 Credential={accessKeyId}/";
        if (authorization is null || date is null || date.Length < 8 || !authorization.StartsWith(scopePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var fields = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ")
            .Select(field => field.Split('=', 2))
            .ToDictionary(field => field[0], field => field.ElementAtOrDefault(1) ?? string.Empty, StringComparer.Ordinal);
        var scope = $"{date[..8]}/{region}/{service}/aws4_request";
        if (fields.GetValueOrDefault("Credential") != $"{accessKeyId}/{scope}" || fields.GetValueOrDefault("SignedHeaders") is not { } signedHeaders)
        {
            return false;
        }

        var headers = signedHeaders.Split(';');
        var canonicalRequest = string.Join('\n',
            request.HttpMethod,
            request.Url!.AbsolutePath,
            string.Empty,
            string.Concat(headers.Select(name => $"{name}:{request.Headers[name]?.Trim()}\n")),
            signedHeaders,
            request.Headers["x-amz-content-sha256"] ?? Hex(SHA256.HashData([])));
        var stringToSign = $"AWS4-HMAC-SHA256\n{date}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { date[..8], region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return DateTime.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(fields.GetValueOrDefault("Signature") ?? string.Empty));
    };

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
