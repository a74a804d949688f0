using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atomic.Credentials.Caching;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Benchmarks;

/// <summary>
/// A request through the OAuth handler whose token is in the first level: with the in-memory cache
/// (the baseline) and with the distributed cache over a real Redis on loopback; and what a first-level
/// miss pays to be served from that Redis (GET, parse) instead of the identity provider.
/// Needs <c>redis-server</c> on PATH; it is started on a free loopback port and stopped after the run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class DistributedCacheBenchmarks
{
    private const string SharedKey = "atomic:OAuthClientCredentials:bench:shared";
    private Process redis = null!;
    private RedisCache store = null!;
    private DistributedCredentialCache distributed = null!;
    private SharedCredentialStore sharedStore = null!;
    private HttpClient memoryClient = null!;
    private HttpClient distributedClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no") { RedirectStandardOutput = true })!;
        WaitForPort(port);
        store = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = $"127.0.0.1:{port}" }));
        distributed = new DistributedCredentialCache(store);
        memoryClient = TokenEndpoint.CachedOAuthClient(new MemoryCredentialCache());
        distributedClient = TokenEndpoint.CachedOAuthClient(distributed);

        var options = new DistributedCredentialCacheOptions().Validated();
        sharedStore = new SharedCredentialStore(store, lease: null, protector: null, options, TimeProvider.System, NullLogger.Instance);
        sharedStore.WriteAsync(SharedKey, new CachedCredential("Bearer eyJhbGciOiJSUzI1NiJ9.benchmark-token", DateTimeOffset.UtcNow.AddHours(1))).GetAwaiter().GetResult();
        if (ServedFromRedis().GetAwaiter().GetResult() != 43)
        {
            throw new InvalidOperationException("the entry was not read back from Redis");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        memoryClient.Dispose();
        distributedClient.Dispose();
        distributed.Dispose();
        sharedStore.Dispose();
        store.Dispose();
        redis.Kill(entireProcessTree: true);
        redis.WaitForExit();
        redis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> FirstLevel_MemoryCache() => BenchmarkRequest.Send(memoryClient);

    [Benchmark]
    public Task<int> FirstLevel_DistributedCache() => BenchmarkRequest.Send(distributedClient);

    [Benchmark]
    public async Task<int> ServedFromRedis() => (await sharedStore.ReadAsync(SharedKey).ConfigureAwait(false))!.Value.Length;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException("redis-server did not start on port " + port.ToString(CultureInfo.InvariantCulture));
    }
}
