using System.Security.Cryptography;
using Atomic.Credentials.KeyPair;
using BenchmarkDotNet.Attributes;

namespace Atomic.Credentials.Benchmarks;

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
