using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.AotSample;

/// <summary>One configured credential and the stand-in API path that accepts only requests carrying it.</summary>
/// <param name="CachesMaterial">Whether the credential caches what it applies (a token or a JWT), so that with
/// a distributed cache it must be found there.</param>
internal sealed record Expectation(string Name, string Type, string Path, bool CachesMaterial);

/// <summary>
/// For each credential in configuration, what its API must see on a request, worked out from the
/// configured values themselves: the stand-in answers 200 when it sees exactly that, 401 otherwise.
/// Token endpoints and keys that only exist at run time (a free port, a fresh key pair) are written
/// into the configuration here, before the credentials are registered.
/// </summary>
internal static class Expectations
{
    // The kinds that cache material (tokens, JWTs) and so share it through a distributed cache; the
    // others compute their header from the options on every request and store nothing.
    private static readonly HashSet<string> CachingKinds = new(StringComparer.Ordinal)
    {
        "OAuthClientCredentials", "KeyPair", "SalesforceMarketingCloud", "Marketo",
    };

    public static IReadOnlyList<Expectation> Map(IConfigurationSection credentials, LoopbackApi api) =>
        credentials.GetChildren().Select(credential => Expect(credential, api)).ToList();

    private static Expectation Expect(IConfigurationSection credential, LoopbackApi api)
    {
        var type = credential["Type"] ?? string.Empty;
        Func<HttpListenerRequest, bool> accepts = type switch
        {
            "BasicAuth" => BasicAuth(credential),
            "CustomHeaders" => CustomHeaders(credential),
            "OAuthClientCredentials" => OAuthClientCredentials(credential, api),
            "KeyPair" => KeyPair(credential),
            "AwsSignedRequest" => SigV4.Verifier(credential["AccessKeyId"]!, credential["SecretAccessKey"]!, credential["Region"]!, credential["Service"]!),
            "S3Bucket" => S3Bucket(credential, api),
            "SalesforceMarketingCloud" => SalesforceMarketingCloud(credential, api),
            "Marketo" => Marketo(credential, api),
            _ => throw new InvalidOperationException($"The sample has no check for credential '{credential.Key}' of Type '{type}'."),
        };

        var path = $"/api/{credential.Key}";
        api.Map(path, (request, _) => accepts(request)
            ? new Reply(HttpStatusCode.OK, "text/plain", "credential applied")
            : new Reply(HttpStatusCode.Unauthorized, "text/plain", "credential missing or wrong"));
        return new Expectation(credential.Key, type, path, CachingKinds.Contains(type));
    }

    private static Func<HttpListenerRequest, bool> BasicAuth(IConfigurationSection credential)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential["Username"]}:{credential["Password"]}"));
        return request => request.Headers["Authorization"] == expected;
    }

    private static Func<HttpListenerRequest, bool> CustomHeaders(IConfigurationSection credential)
    {
        var expected = credential.GetSection("Headers").GetChildren().ToList();
        return request => expected.Count > 0 && expected.All(header => request.Headers[header.Key] == header.Value);
    }

    private static Func<HttpListenerRequest, bool> OAuthClientCredentials(IConfigurationSection credential, LoopbackApi api)
    {
        var tokenPath = $"/token/{credential.Key}";
        credential["IdentityUrl"] = new Uri(api.BaseAddress, tokenPath).AbsoluteUri;
        return TokenEndpoint.Bearer(api, tokenPath, "POST", TokenEndpoint.Form, TokenEndpoint.Expected(credential, "Scope"));
    }

    private static Func<HttpListenerRequest, bool> SalesforceMarketingCloud(IConfigurationSection credential, LoopbackApi api)
    {
        credential["AuthBaseUrl"] = new Uri(api.BaseAddress, $"/sfmc/{credential.Key}/").AbsoluteUri;
        return TokenEndpoint.Bearer(api, $"/sfmc/{credential.Key}/v2/token", "POST", TokenEndpoint.Json, TokenEndpoint.Expected(credential, "Scope"));
    }

    private static Func<HttpListenerRequest, bool> Marketo(IConfigurationSection credential, LoopbackApi api)
    {
        credential["IdentityUrl"] = new Uri(api.BaseAddress, $"/marketo/{credential.Key}/identity").AbsoluteUri;
        return TokenEndpoint.Bearer(api, $"/marketo/{credential.Key}/identity/oauth/token", "GET", TokenEndpoint.Query, TokenEndpoint.Expected(credential));
    }

    private static Func<HttpListenerRequest, bool> KeyPair(IConfigurationSection credential)
    {
        // A fresh key each run: no private key sits in the sample's files.
        var key = RSA.Create(2048);
        credential["PrivateKey"] = key.ExportPkcs8PrivateKeyPem();
        credential["Algorithm"] = "RS256";
        return request => request.Headers["Authorization"] is { } header
            && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && Jwt.IsValid(header["Bearer ".Length..], key, credential["Issuer"]!, credential["Audience"]!);
    }

    private static Func<HttpListenerRequest, bool> S3Bucket(IConfigurationSection credential, LoopbackApi api)
    {
        credential["ServiceUrl"] = api.BaseAddress.AbsoluteUri;
        credential["ForcePathStyle"] = "true";
        return SigV4.Verifier(credential["AccessKeyId"]!, credential["SecretAccessKey"]!, credential["Region"]!, "s3");
    }
}

/// <summary>A token endpoint in the stand-in: it issues a token only for the configured client.</summary>
internal static class TokenEndpoint
{
    /// <summary>The parameters a client-credentials token request must carry, from the credential's configuration.</summary>
    public static Dictionary<string, string?> Expected(IConfigurationSection credential, params string[] optional)
    {
        var expected = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = credential["ClientId"],
            ["client_secret"] = credential["ClientSecret"],
        };
        foreach (var field in optional)
        {
            expected[field.ToLowerInvariant()] = credential[field];
        }

        return expected;
    }

    /// <summary>Maps the token endpoint and returns the check that an API request carries the token it issued.</summary>
    public static Func<HttpListenerRequest, bool> Bearer(
        LoopbackApi api, string path, string method, Func<HttpListenerRequest, string, Dictionary<string, string>> parameters, Dictionary<string, string?> expected)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        api.Map(path, (request, body) =>
        {
            var sent = parameters(request, body);
            return request.HttpMethod == method && expected.All(pair => sent.GetValueOrDefault(pair.Key) == pair.Value)
                ? new Reply(HttpStatusCode.OK, "application/json", $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":3600}""")
                : new Reply(HttpStatusCode.BadRequest, "application/json", """{"error":"invalid_client"}""");
        });
        return request => request.Headers["Authorization"] == $"Bearer {token}";
    }

    public static Dictionary<string, string> Form(HttpListenerRequest request, string body) => body
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(pair => WebUtility.UrlDecode(pair[0]), pair => WebUtility.UrlDecode(pair.ElementAtOrDefault(1) ?? string.Empty), StringComparer.Ordinal);

    public static Dictionary<string, string> Query(HttpListenerRequest request, string body) =>
        request.QueryString.AllKeys.OfType<string>().ToDictionary(key => key, key => request.QueryString[key] ?? string.Empty, StringComparer.Ordinal);

    public static Dictionary<string, string> Json(HttpListenerRequest request, string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.EnumerateObject().ToDictionary(property => property.Name, property => property.Value.ToString(), StringComparer.Ordinal);
    }
}
