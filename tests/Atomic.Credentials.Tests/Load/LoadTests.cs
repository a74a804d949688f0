using System.Diagnostics;
using System.Globalization;
using System.Net;

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
    private const int Callers = 200;
    private const int PerKind = CredentialFleet.PerKind;
    private static readonly Uri Api = new("https://api.example.com/v1/orders?page=2");

    [Test]
    [CancelAfter(600_000)]
    public async Task A_million_requests_over_every_kind_carry_their_own_credential_with_flat_memory()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_LOAD_REQUESTS"), CultureInfo.InvariantCulture, out var configured) ? configured : 1_000_000;
        using var fleet = new CredentialFleet();

        // Warm-up: a tenth of the run (JIT, pools, caches), then the baseline.
        var warmUp = Math.Max(fleet.Clients.Count, total / 10);
        var errors = await RunAsync(fleet.Clients, warmUp);
        var (heapBefore, workingSetBefore) = Memory();
        var watch = Stopwatch.StartNew();
        errors += await RunAsync(fleet.Clients, total - warmUp);
        watch.Stop();
        var (heapAfter, workingSetAfter) = Memory();

        TestContext.Progress.WriteLine(
            $"load: {total:N0} requests ({warmUp:N0} warm-up) by {Callers} callers over {fleet.Clients.Count} credentials in {watch.Elapsed.TotalSeconds:0.0} s after warm-up " +
            $"({(total - warmUp) / watch.Elapsed.TotalSeconds:N0}/s); errors {errors}; wrong credentials {fleet.Wrong.Count}; " +
            $"OAuth token requests {fleet.TokenRequests.Sum()}; JWTs signed {fleet.Jwts.Count}; " +
            $"GC heap {heapBefore / 1024.0 / 1024:0.0} -> {heapAfter / 1024.0 / 1024:0.0} MB; working set {workingSetBefore / 1024.0 / 1024:0} -> {workingSetAfter / 1024.0 / 1024:0} MB");

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Zero, "no request failed");
            Assert.That(fleet.Wrong, Is.Empty, "no request carried another credential (or none)");
            Assert.That(fleet.TokenRequests, Is.All.EqualTo(1), "one token a credential while the clock stands still");
            Assert.That(fleet.Jwts, Has.Count.EqualTo(PerKind), "one JWT a key-pair credential while the clock stands still");
            Assert.That(heapAfter - heapBefore, Is.LessThan(16L * 1024 * 1024), "the GC heap is flat after warm-up");
        });

        await ReplaceTokensOnceAsync(fleet);
    }

    /// <summary>
    /// Past CacheDuration (45 s) but far from expiry: each token is replaced once, in the background,
    /// while the old one is still served; the JWTs (cached for 90 % of 5 min) are not re-signed.
    /// </summary>
    internal static async Task ReplaceTokensOnceAsync(CredentialFleet fleet)
    {
        fleet.Time.Advance(TimeSpan.FromSeconds(46));
        for (var wait = Stopwatch.StartNew(); fleet.TokenRequests.Sum() < 2 * PerKind && wait.Elapsed < TimeSpan.FromSeconds(20);)
        {
            Assert.That(await RunAsync(fleet.Clients, fleet.Clients.Count * 10), Is.Zero);
        }

        Assert.That(await RunAsync(fleet.Clients, fleet.Clients.Count * 50), Is.Zero);
        Assert.Multiple(() =>
        {
            Assert.That(fleet.TokenRequests, Is.All.EqualTo(2), "each token replaced exactly once after CacheDuration");
            Assert.That(fleet.Jwts, Has.Count.EqualTo(PerKind), "JWTs still within 90 % of their lifetime are not re-signed");
            Assert.That(fleet.Wrong, Is.Empty);
        });
    }

    internal static async Task<int> RunAsync(List<HttpClient> clients, int count)
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

    /// <summary>The GC heap after a full collection, and the working set.</summary>
    internal static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
