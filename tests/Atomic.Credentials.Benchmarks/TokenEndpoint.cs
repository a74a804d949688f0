using System.Net;
using System.Text;
using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Benchmarks;

/// <summary>A token endpoint in memory for benchmarks that need a cached OAuth token: one fixed token, valid a day.</summary>
internal sealed class TokenEndpoint : HttpMessageHandler
{
    /// <summary>The benchmarks' OAuth credential: its one token stays cached for the whole run.</summary>
    public static void Configure(OAuthClientCredentialsOptions options)
    {
        options.IdentityUrl = "https://login.example.com/oauth2/token";
        options.ClientId = "client";
        options.ClientSecret = "secret";
        options.Scope = "api.read";
        options.CacheDuration = TimeSpan.FromHours(1); // no background refresh during the run
    }

    /// <summary>A client with that credential (changed by <paramref name="configure"/>) over a no-op API, its token already cached in <paramref name="cache"/>.</summary>
    public static HttpClient CachedOAuthClient(ICredentialCache? cache = null, Action<OAuthClientCredentialsOptions>? configure = null)
    {
        var options = new OAuthClientCredentialsOptions();
        Configure(options);
        configure?.Invoke(options);
        var client = new HttpClient(new OAuthClientCredentialsHandler(options, "bench", cache, new TokenEndpoint())
        {
            InnerHandler = new NoOpHandler(),
        });
        BenchmarkRequest.Send(client).GetAwaiter().GetResult(); // warm: the token is cached from here on
        return client;
    }

    // A request with a DPoP proof gets a DPoP-bound token, as a provider with DPoP on answers.
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"access_token":"eyJhbGciOiJSUzI1NiJ9.benchmark-token","token_type":"{{(request.Headers.Contains("DPoP") ? "DPoP" : "Bearer")}}","expires_in":86400}""",
                Encoding.UTF8,
                "application/json"),
        });
}
