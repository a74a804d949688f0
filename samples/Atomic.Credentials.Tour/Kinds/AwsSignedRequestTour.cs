using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Atomic.Credentials.Tour.Kinds;

/// <summary>
/// AWS Signature V4, header-signed and presigned. The demo API verifies each signature on its
/// own, from the bytes it received and the secret in configuration, as S3 would.
/// </summary>
internal sealed class AwsSignedRequestTour : ITourKind
{
    private const string Key = "/aws/tour-bucket/reports/2026 Q4 (final).csv";

    public IEnumerable<TourStep> Steps =>
    [
        new("AwsSignedRequest", "s3", HttpMethod.Put, Key, () => new StringContent("region,total\neu-west-1,42\n", Encoding.UTF8, "text/csv")),
        new("AwsSignedRequest", "s3", HttpMethod.Get, Key + "?versionId=1"),
        new("AwsSignedRequest", "s3-presigned", HttpMethod.Get, Key),
    ];

    public void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved)
    {
        // Every AWS key of the tour, configured or saved (the S3Bucket preset signs here too).
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in credentials.GetChildren().Concat(saved.GetSection("SavedCredentials").GetChildren()))
        {
            if (entry["AccessKeyId"] is { } accessKeyId && entry["SecretAccessKey"] is { } secret)
            {
                secrets[accessKeyId] = secret;
            }
        }

        api.Map("/aws/{**key}", async (HttpContext context) =>
        {
            var (accepted, saw) = await VerifyAsync(context, secrets);
            return Results.Json(new Verdict(accepted, saw), statusCode: accepted ? 200 : 403);
        });
    }

    private static async Task<(bool Accepted, string Saw)> VerifyAsync(HttpContext context, Dictionary<string, string> secrets)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? target : target[..question];
        var query = Pairs(question < 0 ? string.Empty : target[(question + 1)..]);
        var presigned = query.Any(p => p.Name == "X-Amz-Signature");

        string credential, signedHeaders, signature, date;
        if (presigned)
        {
            credential = query.Single(p => p.Name == "X-Amz-Credential").Value;
            signedHeaders = query.Single(p => p.Name == "X-Amz-SignedHeaders").Value;
            signature = query.Single(p => p.Name == "X-Amz-Signature").Value;
            date = query.Single(p => p.Name == "X-Amz-Date").Value;
        }
        else
        {
            var authorization = request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
            {
                return (false, "no SigV4 Authorization header");
            }

            var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            (credential, signedHeaders, signature, date) = (parts["Credential"], parts["SignedHeaders"], parts["Signature"], request.Headers["X-Amz-Date"].ToString());
        }

        var scope = credential.Split('/');
        if (!secrets.TryGetValue(scope[0], out var secret))
        {
            return (false, "unknown access key");
        }

        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var payload = presigned ? "UNSIGNED-PAYLOAD" : request.Headers["x-amz-content-sha256"].ToString();
        if (payload != "UNSIGNED-PAYLOAD" && payload != Convert.ToHexStringLower(SHA256.HashData(body.ToArray())))
        {
            return (false, "x-amz-content-sha256 does not match the body");
        }

        // S3's canonical request: the key decoded and encoded once, the query sorted, the signed headers trimmed.
        var canonical = string.Join('\n',
            request.Method,
            string.Join('/', rawPath.Split('/').Select(segment => Uri.EscapeDataString(Uri.UnescapeDataString(segment)))),
            string.Join('&', query.Where(p => p.Name != "X-Amz-Signature")
                .Select(p => (Name: Uri.EscapeDataString(p.Name), Value: Uri.EscapeDataString(p.Value)))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => $"{p.Name}={p.Value}")),
            string.Concat(signedHeaders.Split(';').Select(name => $"{name}:{Collapse(request.Headers[name].ToString())}\n")),
            signedHeaders,
            payload);
        var stringToSign = $"AWS4-HMAC-SHA256\n{date}\n{string.Join('/', scope[1..])}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var fresh = Math.Abs((DateTime.UtcNow - DateTime.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)).TotalMinutes) < 15;
        var verified = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)) && fresh;
        return (verified, $"SigV4 {(presigned ? "presigned URL" : "header")}, scope {string.Join('/', scope[1..4])}, signed {signedHeaders}: {(verified ? "verified" : "does not match")}");
    }

    private static List<(string Name, string Value)> Pairs(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Decode(pair[0]), pair.Length > 1 ? Decode(pair[1]) : string.Empty))
            .ToList();

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string Collapse(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
