using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Atomic.Credentials.Tests.Load;

/// <summary>
/// Saved credentials of every plain kind in a SQLite file, one client for all of them, 200 concurrent
/// callers each naming a random credential per request, a state cache a tenth of the credentials: no
/// error, no request with another credential's material (the receiver checks each), one token a
/// credential and one JWT a credential however often the state is dropped and rebuilt, memory flat.
/// The always-on run is a tenth of issue 16's; the full size is explicit (command in docs/reliability.md).
/// </summary>
[Category("Load")]
[NonParallelizable]
public sealed class SavedLoadTests
{
    private const int Callers = 200;
    private const int Windows = 10;

    [Test]
    [CancelAfter(300_000)]
    public Task A_thousand_saved_credentials_named_at_random_carry_their_own_material_with_flat_memory() =>
        RunAsync(credentials: 1_000, tenants: 100, requests: 20_000, capacity: 100);

    [Test]
    [Explicit("The full size of issue 16: about a minute or more on 2 cores; run by its category")]
    [Category("LoadFull")]
    [CancelAfter(1_200_000)]
    public Task Ten_thousand_saved_credentials_named_at_random_carry_their_own_material_with_flat_memory() =>
        RunAsync(credentials: 10_000, tenants: 1_000, requests: 200_000, capacity: 1_000);

    private static async Task RunAsync(int credentials, int tenants, int requests, int capacity)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_LOAD_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        await using var fleet = new SavedFleet(capacity);
        var saving = Stopwatch.StartNew();
        await fleet.SaveAsync(credentials, tenants);
        saving.Stop();
        var errors = new ConcurrentQueue<string>();
        using var client = fleet.CreateClient();

        // Warm-up: every credential once (its token requested, its JWT signed), in random order.
        var order = fleet.Names.OrderBy(_ => Random.Shared.Next()).ToArray();
        var warmUp = Stopwatch.StartNew();
        await RunAsync(fleet, client, order.Length, (_, i) => order[i], errors);
        warmUp.Stop();
        var readsBefore = fleet.Storage.Reads;
        var samples = new List<(long Heap, long WorkingSet)> { LoadTests.Memory() };

        var elapsed = TimeSpan.Zero;
        for (var window = 0; window < Windows; window++)
        {
            var watch = Stopwatch.StartNew();
            await RunAsync(fleet, client, requests / Windows, (random, _) => fleet.Names[random.Next(fleet.Names.Count)], errors, seed + (window * Callers));
            elapsed += watch.Elapsed;
            samples.Add(LoadTests.Memory());
        }

        var reads = fleet.Storage.Reads - readsBefore;
        var heapGrowth = samples.Max(sample => sample.Heap) - samples[0].Heap;
        var workingSetGrowth = samples.Max(sample => sample.WorkingSet) - samples[0].WorkingSet;
        TestContext.Progress.WriteLine(
            $"saved load: {credentials:N0} credentials over {tenants:N0} tenants saved to SQLite in {saving.Elapsed.TotalSeconds:0.0} s; " +
            $"warm-up {order.Length:N0} requests in {warmUp.Elapsed.TotalSeconds:0.0} s; " +
            $"{requests:N0} random requests (seed {seed}) by {Callers} callers, state cache {capacity:N0}, in {elapsed.TotalSeconds:0.0} s ({requests / elapsed.TotalSeconds:N0}/s); " +
            $"errors {errors.Count}; wrong material {fleet.Wrong.Count}; store reads {reads:N0} ({100.0 * reads / requests:0.0} % of requests); held {fleet.Held:N0}; " +
            $"token requests {fleet.TokenRequests.Values.Sum():N0} for {fleet.CountOf("oauth"):N0} OAuth credentials; JWTs {fleet.Jwts:N0} for {fleet.CountOf("keypair"):N0} key-pair credentials");
        TestContext.Progress.WriteLine(
            "saved load: GC heap MB after warm-up, then every " + (requests / Windows).ToString("N0", CultureInfo.InvariantCulture) + " requests: "
            + string.Join(" ", samples.Select(sample => (sample.Heap / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture))) + "; working set MB: "
            + string.Join(" ", samples.Select(sample => (sample.WorkingSet / 1024.0 / 1024).ToString("0", CultureInfo.InvariantCulture))));
        foreach (var error in errors.Take(5))
        {
            TestContext.Progress.WriteLine("saved load error: " + error);
        }

        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty, "no request failed");
            Assert.That(fleet.Wrong, Is.Empty, "no request carried another credential's material (or none, or another kind's header)");
            Assert.That(fleet.Received, Is.EqualTo(order.Length + requests), "every request reached the receiver");
            Assert.That(fleet.TokenRequests, Has.Count.EqualTo(fleet.CountOf("oauth")), "every OAuth credential got a token");
            Assert.That(fleet.TokenRequests.Values, Is.All.EqualTo(1), "one token a credential, however often its state was rebuilt (frozen clock)");
            Assert.That(fleet.Jwts, Is.EqualTo(fleet.CountOf("keypair")), "one JWT a key-pair credential, however often its state was rebuilt");
            Assert.That(reads, Is.InRange(1, requests), "states were dropped and rebuilt, at most one store read a request");
            Assert.That(fleet.Held, Is.LessThanOrEqualTo(capacity + (capacity / 10) + Callers), "the state cache stays bounded");
            Assert.That(heapGrowth, Is.LessThan(32L * 1024 * 1024), "the GC heap is flat after warm-up");
            Assert.That(workingSetGrowth, Is.LessThan(160L * 1024 * 1024), "the working set is flat after warm-up");
        });
    }

    private static async Task RunAsync(SavedFleet fleet, HttpClient client, int count, Func<Random, int, string> pick, ConcurrentQueue<string> errors, int seed = 0)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(seed + caller);
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var name = pick(random, i);
                try
                {
                    if (!await fleet.SendAsync(client, name))
                    {
                        errors.Enqueue($"{name}: not 200");
                    }
                }
                catch (Exception exception)
                {
                    errors.Enqueue($"{name}: {exception.GetType().Name}: {exception.Message}");
                }
            }
        })));
    }
}
