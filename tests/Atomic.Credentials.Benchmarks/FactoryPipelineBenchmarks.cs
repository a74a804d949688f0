using System.Text.Json;
using Atomic.Credentials.Store;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// The request overhead as users deploy it: clients built by <see cref="IHttpClientFactory"/> from
/// dependency injection (its own logging handlers in the chain, options read through
/// <c>IOptionsMonitor</c>), each ending in the same no-op primary handler, with and without a credential;
/// and one client serving saved credentials, each request naming a hot one (built and cached).
/// </summary>
[MemoryDiagnoser]
public class FactoryPipelineBenchmarks
{
    private ServiceProvider provider = null!;
    private HttpClient none = null!;
    private HttpClient basic = null!;
    private HttpClient oauth = null!;
    private HttpClient saved = null!;

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
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddAtomicCredentialStore(o => o.UseInMemory());
        services.AddHttpClient("saved").ConfigurePrimaryHttpMessageHandler(() => new NoOpHandler()).AddAtomicCredentialHandler();
        provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ICredentialStore>();
        store.SaveAsync("acme/basic", JsonDocument.Parse("""{ "Type": "BasicAuth", "Username": "user", "Password": "pässword" }""").RootElement).GetAwaiter().GetResult();
        store.SaveAsync("acme/oauth", JsonDocument.Parse("""
            { "Type": "OAuthClientCredentials", "IdentityUrl": "https://login.example.com/oauth2/token", "ClientId": "client", "ClientSecret": "secret", "Scope": "api.read", "CacheDuration": "01:00:00" }
            """).RootElement).GetAwaiter().GetResult();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        none = factory.CreateClient("none");
        basic = factory.CreateClient("basic");
        oauth = factory.CreateClient("oauth");
        saved = factory.CreateClient("saved");
        BenchmarkRequest.Send(oauth).GetAwaiter().GetResult(); // warm: the token is cached from here on
        BenchmarkRequest.Send(saved, "acme/basic").GetAwaiter().GetResult(); // warm: both saved credentials are built
        BenchmarkRequest.Send(saved, "acme/oauth").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        basic.Dispose();
        oauth.Dispose();
        saved.Dispose();
        provider.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> FactoryNoCredential() => BenchmarkRequest.Send(none);

    [Benchmark]
    public Task<int> FactoryBasicAuth() => BenchmarkRequest.Send(basic);

    [Benchmark]
    public Task<int> FactoryOAuthCachedToken() => BenchmarkRequest.Send(oauth);

    // The same Basic credential, saved at run time and named by the request.
    [Benchmark]
    public Task<int> FactorySavedBasicAuth() => BenchmarkRequest.Send(saved, "acme/basic");

    [Benchmark]
    public Task<int> FactorySavedOAuthCachedToken() => BenchmarkRequest.Send(saved, "acme/oauth");
}
