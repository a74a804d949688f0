using System.Net;
using System.Text;
using Atomic.Credentials.Caching;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>A handler answering with a function: thread-safe, for token endpoints and APIs in memory.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        respond(request, cancellationToken);
}

internal static class OAuthTestKit
{
    public const string Secret = "s3cr3t-Value!xyz";
    public const string TokenUrl = "https://login.example.com/oauth2/token";
    public const string ApiUrl = "https://api.example.com/v1/things";

    public static OAuthClientCredentialsOptions Options(Action<OAuthClientCredentialsOptions>? configure = null)
    {
        var options = new OAuthClientCredentialsOptions
        {
            IdentityUrl = TokenUrl,
            ClientId = "client-1",
            ClientSecret = Secret,
            Scope = "api.read",
        };
        configure?.Invoke(options);
        return options;
    }

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Token(string token, int expiresIn = 3600, string type = "Bearer") =>
        Json($$"""{"access_token":"{{token}}","token_type":"{{type}}","expires_in":{{expiresIn}}}""");

    /// <summary>An API that answers 200 with the Authorization header it received in the body.</summary>
    public static StubHandler EchoApi() => new(request => new HttpResponseMessage(HttpStatusCode.OK)
    {
        Content = new StringContent(request.Headers.Authorization?.ToString() ?? "(none)"),
    });

    public static HttpClient Client(
        OAuthClientCredentialsOptions options,
        HttpMessageHandler tokenEndpoint,
        HttpMessageHandler? api = null,
        ICredentialCache? cache = null,
        TimeProvider? time = null,
        ILoggerFactory? loggers = null,
        string? name = null) =>
        new(new OAuthClientCredentialsHandler(options, name, cache, tokenEndpoint, time, loggers) { InnerHandler = api ?? EchoApi() });
}
