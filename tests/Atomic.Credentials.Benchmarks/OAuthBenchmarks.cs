using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// A request through the OAuth handler when the token is cached (the steady state), against the
/// same pipeline without a credential and with a hand-written handler that adds a fixed
/// <c>Authorization</c> header — the floor any bearer handler is measured against.
/// </summary>
[MemoryDiagnoser]
public class OAuthBenchmarks
{
    private HttpClient none = null!;
    private HttpClient fixedHeader = null!;
    private HttpClient oauth = null!;

    [GlobalSetup]
    public void Setup()
    {
        none = new HttpClient(new NoOpHandler());
        fixedHeader = new HttpClient(new FixedBearerHandler { InnerHandler = new NoOpHandler() });
        oauth = new HttpClient(new OAuthClientCredentialsHandler(
            new OAuthClientCredentialsOptions
            {
                IdentityUrl = "https://login.example.com/oauth2/token",
                ClientId = "client",
                ClientSecret = "secret",
                Scope = "api.read",
                CacheDuration = TimeSpan.FromHours(1), // no background refresh during the run
            },
            tokenHandler: new TokenEndpoint())
        {
            InnerHandler = new NoOpHandler(),
        });
        BenchmarkRequest.Send(oauth).GetAwaiter().GetResult(); // warm: the token is cached from here on
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        fixedHeader.Dispose();
        oauth.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> NoCredential() => BenchmarkRequest.Send(none);

    [Benchmark]
    public Task<int> FixedBearerHeader() => BenchmarkRequest.Send(fixedHeader);

    [Benchmark]
    public Task<int> OAuthCachedToken() => BenchmarkRequest.Send(oauth);


    private sealed class FixedBearerHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.benchmark-token");
            return base.SendAsync(request, cancellationToken);
        }
    }

    internal sealed class TokenEndpoint : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    """{"access_token":"eyJhbGciOiJSUzI1NiJ9.benchmark-token","token_type":"Bearer","expires_in":86400}""",
                    Encoding.UTF8,
                    "application/json"),
            });
    }
}
