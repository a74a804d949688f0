using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>The floor under every credential that adds a header: ways of putting one header on a new request.</summary>
[MemoryDiagnoser]
public class HeaderWriteBenchmarks
{
    private static readonly AuthenticationHeaderValue Typed = new("Basic", "dXNlcjpwYXNzd29yZA==");

    [Benchmark(Baseline = true)]
    public int NewRequest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BenchmarkRequest.Target);
        return request.Version.Major;
    }

    [Benchmark]
    public int TryAddWithoutValidation()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BenchmarkRequest.Target);
        request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNzd29yZA==");
        return request.Version.Major;
    }

    [Benchmark]
    public int RemoveThenAdd()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BenchmarkRequest.Target);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNzd29yZA==");
        return request.Version.Major;
    }

    [Benchmark]
    public int TypedAuthorization()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BenchmarkRequest.Target);
        request.Headers.Authorization = Typed;
        return request.Version.Major;
    }

    [Benchmark]
    public long Clock() => DateTimeOffset.UtcNow.Ticks;

    [Benchmark]
    public long TickCount() => Environment.TickCount64;
}
