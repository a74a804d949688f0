using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// Per-request cost of each handler that needs no network: the same HttpClient pipeline with a
/// no-op inner handler, with and without the credential.
/// </summary>
[MemoryDiagnoser]
public class HandlerOverheadBenchmarks
{
    private HttpClient none = null!;
    private HttpClient basic = null!;
    private HttpClient headers = null!;

    [GlobalSetup]
    public void Setup()
    {
        none = new HttpClient(new NoOpHandler());
        basic = new HttpClient(new BasicAuthHandler(new BasicAuthOptions { Username = "user", Password = "pässword" }) { InnerHandler = new NoOpHandler() });
        headers = new HttpClient(new CustomHeadersHandler(new CustomHeadersOptions
        {
            Headers = { ["X-Api-Key"] = "k-123456", ["X-Tenant"] = "t1" },
        }) { InnerHandler = new NoOpHandler() });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        basic.Dispose();
        headers.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> NoCredential() => BenchmarkRequest.Send(none);

    [Benchmark]
    public Task<int> BasicAuth() => BenchmarkRequest.Send(basic);

    [Benchmark]
    public Task<int> CustomHeaders() => BenchmarkRequest.Send(headers);

}
