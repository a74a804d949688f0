using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// What DPoP adds to a request with a cached token: a proof JWT signed per request (RFC 9449), with
/// ES256 and RS256 keys, against the same cached token sent as a bearer token. The proof is made on
/// the request path, so this is the whole cost a user pays per request.
/// </summary>
[MemoryDiagnoser]
public class DpopBenchmarks
{
    private HttpClient bearer = null!;
    private HttpClient es256 = null!;
    private HttpClient rs256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        bearer = TokenEndpoint.CachedOAuthClient();
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        es256 = Dpop("ES256", ec.ExportPkcs8PrivateKeyPem());
        rs256 = Dpop("RS256", rsa.ExportPkcs8PrivateKeyPem());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        bearer.Dispose();
        es256.Dispose();
        rs256.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> CachedBearerToken() => BenchmarkRequest.Send(bearer);

    [Benchmark]
    public Task<int> DpopEs256Proof() => BenchmarkRequest.Send(es256);

    [Benchmark]
    public Task<int> DpopRs256Proof() => BenchmarkRequest.Send(rs256);

    private static HttpClient Dpop(string algorithm, string pem) => TokenEndpoint.CachedOAuthClient(configure: options =>
    {
        options.Dpop = true;
        options.DpopAlgorithm = algorithm;
        options.DpopKey = pem;
    });
}
