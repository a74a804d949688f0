using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.AotSample;

/// <summary>One configured credential and the stand-in API path that accepts only requests carrying it.</summary>
internal sealed record Expectation(string Name, string Type, string Path);

/// <summary>
/// For each credential in configuration, what its API must see on a request, worked out from the
/// configured values themselves: the stand-in answers 200 when it sees exactly that, 401 otherwise.
/// </summary>
internal static class Expectations
{
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
            _ => throw new InvalidOperationException($"The sample has no check for credential '{credential.Key}' of Type '{type}'."),
        };

        var path = $"/api/{credential.Key}";
        api.Map(path, (request, _) => accepts(request)
            ? new Reply(HttpStatusCode.OK, "text/plain", "credential applied")
            : new Reply(HttpStatusCode.Unauthorized, "text/plain", "credential missing or wrong"));
        return new Expectation(credential.Key, type, path);
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
        // The token endpoint lives in the stand-in, whose port is known only now.
        var tokenPath = $"/token/{credential.Key}";
        credential["IdentityUrl"] = new Uri(api.BaseAddress, tokenPath).AbsoluteUri;
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        api.Map(tokenPath, (request, body) =>
        {
            var form = Form(body);
            var valid = request.HttpMethod == "POST"
                && form.GetValueOrDefault("grant_type") == "client_credentials"
                && form.GetValueOrDefault("client_id") == credential["ClientId"]
                && form.GetValueOrDefault("client_secret") == credential["ClientSecret"]
                && form.GetValueOrDefault("scope") == credential["Scope"];
            return valid
                ? new Reply(HttpStatusCode.OK, "application/json", $$"""{"access_token":"{{token}}","token_type":"Bearer","expires_in":3600}""")
                : new Reply(HttpStatusCode.BadRequest, "application/json", """{"error":"invalid_client"}""");
        });
        return request => request.Headers["Authorization"] == $"Bearer {token}";
    }

    private static Dictionary<string, string> Form(string body) => body
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(pair => WebUtility.UrlDecode(pair[0]), pair => WebUtility.UrlDecode(pair.ElementAtOrDefault(1) ?? string.Empty), StringComparer.Ordinal);
}
