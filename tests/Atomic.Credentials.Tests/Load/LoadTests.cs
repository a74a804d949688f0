using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Tests.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.Load;

/// <summary>
/// Eight credentials of every kind behind 200 concurrent callers, a million requests (ATOMIC_LOAD_REQUESTS
/// changes the count) through a no-op inner handler that checks each request carries exactly its own
/// credential. The clock is frozen, so the cache policy predicts every token request and JWT signing;
/// then it moves past CacheDuration and each OAuth token is replaced exactly once, in the background.
/// </summary>
[Category("Load")]
[NonParallelizable]
public sealed class LoadTests
{
    private const int PerKind = 8;
    private const int Callers = 200;
    private static readonly Uri Api = new("https://api.example.com/v1/orders?page=2");

    [Test]
    [CancelAfter(600_000)]
    public async Task A_million_requests_over_every_kind_carry_their_own_credential_with_flat_memory()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_LOAD_REQUESTS"), CultureInfo.InvariantCulture, out var configured) ? configured : 1_000_000;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokenRequests = new int[PerKind];
        var wrong = new ConcurrentQueue<string>();
        var jwtOwners = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var clients = new List<HttpClient>();
        try
        {
            for (var i = 0; i < PerKind; i++)
            {
                clients.Add(Basic(i, wrong));
                clients.Add(Headers(i, wrong));
                clients.Add(OAuth(i, time, tokenRequests, wrong));
                clients.Add(KeyPair(i, time, jwtOwners, wrong));
                clients.Add(Aws(i, time, wrong));
            }

            // Warm-up: a tenth of the run (JIT, pools, caches), then the baseline.
            var warmUp = Math.Max(clients.Count, total / 10);
            var errors = await RunAsync(clients, warmUp);
            var (heapBefore, workingSetBefore) = Memory();
            var watch = Stopwatch.StartNew();
            errors += await RunAsync(clients, total - warmUp);
            watch.Stop();
            var (heapAfter, workingSetAfter) = Memory();

            TestContext.Progress.WriteLine(
                $"load: {total:N0} requests ({warmUp:N0} warm-up) by {Callers} callers over {clients.Count} credentials in {watch.Elapsed.TotalSeconds:0.0} s after warm-up " +
                $"({(total - warmUp) / watch.Elapsed.TotalSeconds:N0}/s); errors {errors}; wrong credentials {wrong.Count}; " +
                $"OAuth token requests {tokenRequests.Sum()}; JWTs signed {jwtOwners.Count}; " +
                $"GC heap {heapBefore / 1024.0 / 1024:0.0} -> {heapAfter / 1024.0 / 1024:0.0} MB; working set {workingSetBefore / 1024.0 / 1024:0} -> {workingSetAfter / 1024.0 / 1024:0} MB");

            Assert.Multiple(() =>
            {
                Assert.That(errors, Is.Zero, "no request failed");
                Assert.That(wrong, Is.Empty, "no request carried another credential (or none)");
                Assert.That(tokenRequests, Is.All.EqualTo(1), "one token a credential while the clock stands still");
                Assert.That(jwtOwners, Has.Count.EqualTo(PerKind), "one JWT a key-pair credential while the clock stands still");
                Assert.That(heapAfter - heapBefore, Is.LessThan(16L * 1024 * 1024), "the GC heap is flat after warm-up");
            });

            // Past CacheDuration (45 s) but far from expiry: each token is replaced once, in the background,
            // while the old one is still served; the JWTs (cached for 90 % of 5 min) are not.
            time.Advance(TimeSpan.FromSeconds(46));
            for (var wait = Stopwatch.StartNew(); tokenRequests.Sum() < 2 * PerKind && wait.Elapsed < TimeSpan.FromSeconds(20);)
            {
                Assert.That(await RunAsync(clients, clients.Count * 10), Is.Zero);
            }

            Assert.That(await RunAsync(clients, clients.Count * 50), Is.Zero);
            Assert.Multiple(() =>
            {
                Assert.That(tokenRequests, Is.All.EqualTo(2), "each token replaced exactly once after CacheDuration");
                Assert.That(jwtOwners, Has.Count.EqualTo(PerKind), "JWTs still within 90 % of their lifetime are not re-signed");
                Assert.That(wrong, Is.Empty);
            });
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task<int> RunAsync(List<HttpClient> clients, int count)
    {
        var next = -1;
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    using var response = await clients[i % clients.Count].GetAsync(Api);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        return errors;
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static HttpClient Basic(int i, ConcurrentQueue<string> wrong)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"user-{i}:basic-pass-{i}"));
        return Client(new BasicAuthHandler(new BasicAuthOptions { Username = $"user-{i}", Password = $"basic-pass-{i}" }, $"basic-{i}"),
            request => request.Headers.Authorization?.ToString() == expected, $"basic-{i}", wrong);
    }

    private static HttpClient Headers(int i, ConcurrentQueue<string> wrong)
    {
        var options = new CustomHeadersOptions();
        options.Headers["X-Api-Key"] = $"api-key-{i}";
        return Client(new CustomHeadersHandler(options, $"headers-{i}"),
            request => request.Headers.TryGetValues("X-Api-Key", out var values) && values.SingleOrDefault() == $"api-key-{i}", $"headers-{i}", wrong);
    }

    private static HttpClient OAuth(int i, TimeProvider time, int[] tokenRequests, ConcurrentQueue<string> wrong)
    {
        var tokenEndpoint = new StubHandler(request =>
        {
            var number = Interlocked.Increment(ref tokenRequests[i]);
            return OAuthTestKit.Token($"tok-{i}-{number}", expiresIn: 3600);
        });
        var options = OAuthTestKit.Options(o =>
        {
            o.ClientId = $"client-{i}";
            o.ClientSecret = $"oauth-secret-{i}";
        });
        return Client(new OAuthClientCredentialsHandler(options, $"oauth-{i}", tokenHandler: tokenEndpoint, timeProvider: time),
            request => request.Headers.Authorization?.ToString().StartsWith($"Bearer tok-{i}-", StringComparison.Ordinal) == true, $"oauth-{i}", wrong);
    }

    private static HttpClient KeyPair(int i, TimeProvider time, ConcurrentDictionary<string, string> owners, ConcurrentQueue<string> wrong)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new KeyPairOptions { PrivateKey = key.ExportPkcs8PrivateKeyPem(), Algorithm = "ES256", Issuer = $"issuer-{i}", Audience = "https://api.example.com" };
        return Client(new KeyPairJwtHandler(options, $"keypair-{i}", timeProvider: time),
            request => request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } jwt }
                && owners.GetOrAdd(jwt, IssuerOf) == $"issuer-{i}", $"keypair-{i}", wrong);
    }

    private static HttpClient Aws(int i, TimeProvider time, ConcurrentQueue<string> wrong)
    {
        var options = new AwsSignedRequestOptions { AccessKeyId = $"AKIDLOAD{i:D4}", SecretAccessKey = $"aws-secret-{i}", Service = "execute-api", Region = "eu-west-1" };
        return Client(new AwsSignatureHandler(options, $"aws-{i}", time),
            request => request.Headers.TryGetValues("Authorization", out var values)
                && values.Single().StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDLOAD{i:D4}/", StringComparison.Ordinal), $"aws-{i}", wrong);
    }

    private static string IssuerOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var json = Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '='));
        return JsonDocument.Parse(json).RootElement.GetProperty("iss").GetString()!;
    }

    private static HttpClient Client(DelegatingHandler handler, Func<HttpRequestMessage, bool> carriesOwn, string name, ConcurrentQueue<string> wrong)
    {
        handler.InnerHandler = new StubHandler(request =>
        {
            if (!carriesOwn(request))
            {
                wrong.Enqueue(name);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        return new HttpClient(handler);
    }
}
