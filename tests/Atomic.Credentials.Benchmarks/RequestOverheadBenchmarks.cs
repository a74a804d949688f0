using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Every credential kind's steady-state request in one class, so they share one no-credential
/// baseline measured in the same process: the same GET through <see cref="HttpClient"/> with a
/// no-op primary handler, without a credential, with an empty <see cref="DelegatingHandler"/>,
/// and with each kind whose material is precomputed or cached.
/// </summary>
[MemoryDiagnoser]
public class RequestOverheadBenchmarks
{
    private HttpClient none = null!;
    private HttpClient passThrough = null!;
    private HttpClient handWritten = null!;
    private HttpClient handWrittenApiKey = null!;
    private HttpClient handWrittenTwo = null!;
    private HttpClient basic = null!;
    private HttpClient header = null!;
    private HttpClient headers = null!;
    private HttpClient oauth = null!;
    private HttpClient keyPair = null!;

    [GlobalSetup]
    public void Setup()
    {
        none = new HttpClient(new NoOpHandler());
        passThrough = new HttpClient(new PassThroughHandler { InnerHandler = new NoOpHandler() });
        handWritten = new HttpClient(new FixedHeaderHandler { InnerHandler = new NoOpHandler() });
        handWrittenApiKey = new HttpClient(new FixedHeadersHandler(("X-Api-Key", "k-123456")) { InnerHandler = new NoOpHandler() });
        handWrittenTwo = new HttpClient(new FixedHeadersHandler(("X-Api-Key", "k-123456"), ("X-Tenant", "t1")) { InnerHandler = new NoOpHandler() });
        basic = new HttpClient(new BasicAuthHandler(new BasicAuthOptions { Username = "user", Password = "pässword" }) { InnerHandler = new NoOpHandler() });
        header = new HttpClient(new CustomHeadersHandler(new CustomHeadersOptions
        {
            Headers = { ["X-Api-Key"] = "k-123456" },
        }) { InnerHandler = new NoOpHandler() });
        headers = new HttpClient(new CustomHeadersHandler(new CustomHeadersOptions
        {
            Headers = { ["X-Api-Key"] = "k-123456", ["X-Tenant"] = "t1" },
        }) { InnerHandler = new NoOpHandler() });
        oauth = TokenEndpoint.CachedOAuthClient();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keyPair = new HttpClient(new KeyPairJwtHandler(new KeyPairOptions
        {
            PrivateKey = key.ExportPkcs8PrivateKeyPem(),
            Algorithm = "ES256",
            Issuer = "atomic",
            Subject = "svc",
            Audience = "https://api.example.com",
            Lifetime = TimeSpan.FromHours(2), // no new token during the run
        }) { InnerHandler = new NoOpHandler() });

        BenchmarkRequest.Send(keyPair).GetAwaiter().GetResult(); // warm: the JWT is cached from here on
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        passThrough.Dispose();
        handWritten.Dispose();
        handWrittenApiKey.Dispose();
        handWrittenTwo.Dispose();
        basic.Dispose();
        header.Dispose();
        headers.Dispose();
        oauth.Dispose();
        keyPair.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> NoCredential() => BenchmarkRequest.Send(none);

    // What any extra DelegatingHandler costs before it does anything: the floor for every kind.
    [Benchmark]
    public Task<int> EmptyDelegatingHandler() => BenchmarkRequest.Send(passThrough);

    // The floor of any credential that adds a header: a hand-written handler adding a fixed one.
    [Benchmark]
    public Task<int> HandWrittenHeader() => BenchmarkRequest.Send(handWritten);

    // The floor of CustomHeaderOne: its header, by hand (a name HttpClient does not know).
    [Benchmark]
    public Task<int> HandWrittenApiKeyHeader() => BenchmarkRequest.Send(handWrittenApiKey);

    // The floor of two headers: what CustomHeadersTwo writes, by hand.
    [Benchmark]
    public Task<int> HandWrittenTwoHeaders() => BenchmarkRequest.Send(handWrittenTwo);

    [Benchmark]
    public Task<int> BasicAuth() => BenchmarkRequest.Send(basic);

    [Benchmark]
    public Task<int> CustomHeaderOne() => BenchmarkRequest.Send(header);

    [Benchmark]
    public Task<int> CustomHeadersTwo() => BenchmarkRequest.Send(headers);

    [Benchmark]
    public Task<int> OAuthCachedToken() => BenchmarkRequest.Send(oauth);

    [Benchmark]
    public Task<int> KeyPairCachedJwt() => BenchmarkRequest.Send(keyPair);

    /// <summary>What a user would write by hand: one fixed header, nothing checked.</summary>
    private sealed class FixedHeaderHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpww6Rzc3dvcmQ=");
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Custom headers written by hand: the floor of <see cref="CustomHeadersHandler"/>.</summary>
    private sealed class FixedHeadersHandler(params (string Name, string Value)[] headers) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
