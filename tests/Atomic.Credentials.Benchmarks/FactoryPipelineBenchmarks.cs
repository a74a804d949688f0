using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// The request overhead as users deploy it: clients built by <see cref="IHttpClientFactory"/> from
/// dependency injection (its own logging handlers in the chain, options read through
/// <c>IOptionsMonitor</c>), each ending in the same no-op primary handler, with and without a credential.
/// </summary>
[MemoryDiagnoser]
public class FactoryPipelineBenchmarks
{
    private ServiceProvider provider = null!;
    private HttpClient none = null!;
    private HttpClient basic = null!;
    private HttpClient oauth = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential<BasicAuthOptions>("basic", o => (o.Username, o.Password) = ("user", "pässword"));
        services.AddAtomicCredential<OAuthClientCredentialsOptions>("oauth", TokenEndpoint.Configure);
        services.AddHttpClient(OAuthClientCredentialsHandler.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => new TokenEndpoint());
        services.AddHttpClient("none").ConfigurePrimaryHttpMessageHandler(() => new NoOpHandler());
        services.AddHttpClient("basic").ConfigurePrimaryHttpMessageHandler(() => new NoOpHandler()).AddAtomicCredentialHandler("basic");
        services.AddHttpClient("oauth").ConfigurePrimaryHttpMessageHandler(() => new NoOpHandler()).AddAtomicCredentialHandler("oauth");
        provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        none = factory.CreateClient("none");
        basic = factory.CreateClient("basic");
        oauth = factory.CreateClient("oauth");
        BenchmarkRequest.Send(oauth).GetAwaiter().GetResult(); // warm: the token is cached from here on
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        basic.Dispose();
        oauth.Dispose();
        provider.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> FactoryNoCredential() => BenchmarkRequest.Send(none);

    [Benchmark]
    public Task<int> FactoryBasicAuth() => BenchmarkRequest.Send(basic);

    [Benchmark]
    public Task<int> FactoryOAuthCachedToken() => BenchmarkRequest.Send(oauth);
}
