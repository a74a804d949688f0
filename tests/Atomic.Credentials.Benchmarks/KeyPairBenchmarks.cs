using System.Security.Cryptography;
using Atomic.Credentials.KeyPair;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// A request through the key-pair handler once its JWT is cached (the steady state), against the
/// same pipeline without a credential.
/// </summary>
[MemoryDiagnoser]
public class KeyPairRequestBenchmarks
{
    private HttpClient none = null!;
    private HttpClient passThrough = null!;
    private HttpClient basic = null!;
    private HttpClient keyPair = null!;

    [GlobalSetup]
    public void Setup()
    {
        none = new HttpClient(new NoOpHandler());
        passThrough = new HttpClient(new PassThroughHandler { InnerHandler = new NoOpHandler() });
        basic = new HttpClient(new BasicAuthHandler(new BasicAuthOptions { Username = "user", Password = "pässword" }) { InnerHandler = new NoOpHandler() });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        keyPair = new HttpClient(new KeyPairJwtHandler(new KeyPairOptions
        {
            PrivateKey = key.ExportPkcs8PrivateKeyPem(),
            Algorithm = "ES256",
            Issuer = "atomic",
            Subject = "svc",
            Audience = "https://api.example.com",
        }) { InnerHandler = new NoOpHandler() });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        none.Dispose();
        passThrough.Dispose();
        basic.Dispose();
        keyPair.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> NoCredential() => BenchmarkRequest.Send(none);

    // What any extra DelegatingHandler costs, before it does anything.
    [Benchmark]
    public Task<int> EmptyDelegatingHandler() => BenchmarkRequest.Send(passThrough);

    // The cheapest credential: a precomputed header, for what the pipeline itself costs.
    [Benchmark]
    public Task<int> BasicAuth() => BenchmarkRequest.Send(basic);

    [Benchmark]
    public Task<int> KeyPairCached() => BenchmarkRequest.Send(keyPair);

}

/// <summary>A DelegatingHandler that only passes the request on.</summary>
public sealed class PassThroughHandler : DelegatingHandler;

/// <summary>The cost of one signing: what a cache miss or a background refresh pays.</summary>
[MemoryDiagnoser]
public class KeyPairSigningBenchmarks
{
    private static readonly JwtClaims Claims = new("atomic", "svc", ["https://api.example.com"], TimeSpan.FromMinutes(5));
    private KeyPairSigningKey rs256 = null!;
    private KeyPairSigningKey es256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        rs256 = KeyPairSigningKey.Load(rsa.ExportPkcs8PrivateKeyPem(), null, "RS256", "k1");
        es256 = KeyPairSigningKey.Load(ec.ExportPkcs8PrivateKeyPem(), null, "ES256", "k1");
    }

    [Benchmark(Baseline = true)]
    public string SignRs256() => JwtFactory.Create(rs256, Claims, DateTimeOffset.UtcNow).Token;

    [Benchmark]
    public string SignEs256() => JwtFactory.Create(es256, Claims, DateTimeOffset.UtcNow).Token;
}
