using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.IntegrationTests.Caching;

/// <summary>
/// A fleet of real processes started at one instant against one real Redis and one counting token
/// endpoint on 127.0.0.1: the lease elects one of them to ask, a lease holder killed mid-fetch is
/// replaced once its lease lapses, Redis down leaves one request per process, and a Retry-After
/// pauses the whole fleet while the cached token keeps serving.
/// </summary>
[NonParallelizable]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class FleetLeaseProcessTests
{
    private const int Instances = 8;
    private const int RequestsEach = 200;
    private static readonly string AllOk = $"ok={RequestsEach} failed=0";

    private readonly ConcurrentQueue<(string? Pid, TimeSpan At)> asked = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private Func<HttpContext, Task<IResult?>>? answer;

    [Test]
    public async Task Eight_processes_missing_together_make_exactly_one_token_request_with_the_lease()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await StartServerAsync(TimeSpan.FromMinutes(5));
        using var keys = new KeyRing();

        // Without first: a process's first run on a cold machine is slower, and that must not count against the lease.
        var (withoutLease, firstWithoutLease) = await RunAsync(redis, server, keys.Directory, leaseMs: 0);
        var fleetWithoutLease = asked.Count;

        await redis.CliAsync("FLUSHALL");
        asked.Clear();
        var (withLease, firstWithLease) = await RunAsync(redis, server, keys.Directory, leaseMs: null);
        var fleetWithLease = asked.Count;

        TestContext.Progress.WriteLine(
            $"FLEET {Instances} processes x {RequestsEach} requests: token requests with the lease {fleetWithLease}, without {fleetWithoutLease}; "
            + $"first success (ms from GO, per process) with the lease [{string.Join(' ', firstWithLease)}], without [{string.Join(' ', firstWithoutLease)}]");
        Assert.Multiple(() =>
        {
            Assert.That(withLease.Concat(withoutLease), Is.All.EqualTo(AllOk));
            Assert.That(fleetWithLease, Is.EqualTo(1), "one token request for the whole fleet");
            Assert.That(fleetWithoutLease, Is.InRange(1, Instances), "without the election: at most one per process");
        });
    }

    [Test]
    public async Task The_lease_holder_killed_while_fetching_is_replaced_by_one_other_instance_after_its_lease()
    {
        // The default lease (5 s): on a loaded machine a cold process's first token request can take
        // over 2 s, and a holder slower than its lease lets a second instance in.
        await using var redis = await RedisServer.StartAsync();
        await using var server = await StartServerAsync(TimeSpan.FromMinutes(5));
        using var keys = new KeyRing();
        var holder = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        var leaseLapses = TimeSpan.Zero;
        answer = async context =>
        {
            if (Interlocked.Increment(ref first) != 1)
            {
                return null;
            }

            // The elected instance's request: its lease's end is read from Redis, then it is held until the instance is killed.
            var before = clock.Elapsed;
            var lease = (await redis.CliAsync("--scan", "--pattern", "*:lease")).Trim();
            leaseLapses = before + TimeSpan.FromMilliseconds(double.Parse(await redis.CliAsync("PTTL", lease), CultureInfo.InvariantCulture));
            holder.TrySetResult(context.Request.Headers["X-Fleet-Pid"].ToString());
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        };

        var fleet = Start(Instances, redis, server, keys.Directory, RequestsEach, environment: null);
        try
        {
            await FleetClientProcess.GoAsync(fleet);
            var pid = await holder.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var killed = fleet.Single(p => p.Process.Id.ToString(CultureInfo.InvariantCulture) == pid);
            var killedAt = clock.Elapsed;
            killed.Process.Kill(entireProcessTree: true);

            var survivors = fleet.Where(p => p != killed).ToArray();
            var results = new List<string>();
            foreach (var instance in survivors)
            {
                results.Add(await instance.ResultAsync());
            }

            var requests = asked.ToArray();
            TestContext.Progress.WriteLine(
                $"FLEET killed holder: token requests {requests.Length} ({string.Join(", ", requests.Select(r => $"pid {r.Pid} at {r.At.TotalMilliseconds:F0} ms"))}); the second {(requests[^1].At - requests[0].At).TotalMilliseconds:F0} ms after the first, "
                + $"{(requests[^1].At - leaseLapses).TotalMilliseconds:F0} ms after its lease lapsed; survivors' first success (ms from GO) [{string.Join(' ', survivors.Select(p => p.FirstSuccessMs))}], killed at {killedAt.TotalMilliseconds:F0} ms");
            Assert.Multiple(() =>
            {
                Assert.That(results, Is.All.EqualTo(AllOk), "every request of every surviving instance succeeds");
                Assert.That(requests, Has.Length.EqualTo(2), "the killed holder's request, then one other instance's");
                Assert.That(requests[^1].Pid, Is.Not.EqualTo(pid));
                Assert.That(requests[^1].At, Is.GreaterThanOrEqualTo(leaseLapses - TimeSpan.FromMilliseconds(20)), "nobody asked while the lease held");
            });
        }
        finally
        {
            Dispose(fleet);
        }
    }

    [Test]
    public async Task With_Redis_down_every_request_succeeds_with_one_token_request_per_process()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        await using var server = await StartServerAsync(TimeSpan.FromMinutes(5));
        using var keys = new KeyRing();

        var (results, first) = await RunAsync(redis, server, keys.Directory, leaseMs: null);

        TestContext.Progress.WriteLine($"FLEET Redis down: token requests {asked.Count}, first success (ms from GO) [{string.Join(' ', first)}]");
        Assert.Multiple(() =>
        {
            Assert.That(results, Is.All.EqualTo(AllOk));
            Assert.That(asked.Select(a => a.Pid).Distinct().Count(), Is.EqualTo(asked.Count), "never two from one process");
            Assert.That(asked, Has.Count.EqualTo(Instances), "one per process");
        });
    }

    [Test]
    public async Task Four_processes_of_250_callers_ask_nothing_during_a_Retry_After_then_exactly_once_while_the_cached_token_serves()
    {
        // Tokens of 20 s, renewed after 2 s: the fleet's first renewal meets the 429.
        await using var redis = await RedisServer.StartAsync();
        await using var server = await StartServerAsync(TimeSpan.FromSeconds(20));
        using var keys = new KeyRing();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        answer = context =>
        {
            var number = asked.Count;
            if (number == 2)
            {
                context.Response.Headers.RetryAfter = "5";
                return Task.FromResult<IResult?>(Results.Json(new { error = "slow_down" }, statusCode: StatusCodes.Status429TooManyRequests));
            }

            if (number >= 3)
            {
                third.TrySetResult();
            }

            return Task.FromResult<IResult?>(null);
        };

        var fleet = Start(4, redis, server, keys.Directory, 250, Environment(("FLEET_UNTIL_STOP", 1), ("FLEET_PAUSE_MS", 250), ("FLEET_CACHE_SECONDS", 2)));
        try
        {
            await FleetClientProcess.GoAsync(fleet);
            await third.Task.WaitAsync(TimeSpan.FromSeconds(45));
            await Task.Delay(TimeSpan.FromSeconds(2)); // room for a request that should not come
            await Task.WhenAll(fleet.Select(p => p.SendAsync("STOP")));
            var results = new List<string>();
            foreach (var instance in fleet)
            {
                results.Add(await instance.ResultAsync());
            }

            var requests = asked.ToArray();
            var paused = requests[2].At - requests[1].At;
            TestContext.Progress.WriteLine($"FLEET Retry-After 5: token requests {requests.Length}, the one after the 429 came {paused.TotalMilliseconds:F0} ms later; results [{string.Join("; ", results)}]");
            Assert.Multiple(() =>
            {
                Assert.That(results, Has.All.Match("^ok=[0-9]+ failed=0$"), "the cached token serves every request throughout");
                Assert.That(requests, Has.Length.EqualTo(3), "the first token, the refused renewal, exactly one after the pause");
                Assert.That(paused, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(50)), "nobody asked during the pause");
            });
        }
        finally
        {
            Dispose(fleet);
        }
    }

    // Every token request is recorded (which process, when) before the test's own answer, if any.
    private async Task<LoopbackOAuthServer> StartServerAsync(TimeSpan tokenLifetime)
    {
        var server = await LoopbackOAuthServer.StartAsync(tokenLifetime);
        server.BeforeToken = context =>
        {
            asked.Enqueue((context.Request.Headers["X-Fleet-Pid"].ToString(), clock.Elapsed));
            return answer?.Invoke(context) ?? Task.FromResult<IResult?>(null);
        };
        return server;
    }

    private static async Task<(string[] Results, int[] FirstSuccessMs)> RunAsync(RedisServer redis, LoopbackOAuthServer server, DirectoryInfo keys, int? leaseMs)
    {
        var fleet = Start(Instances, redis, server, keys, RequestsEach, leaseMs is { } ms ? Environment(("FLEET_LEASE_MS", ms)) : null);
        try
        {
            var results = await FleetClientProcess.RunAsync(fleet);
            return (results, [.. fleet.Select(p => p.FirstSuccessMs)]);
        }
        finally
        {
            Dispose(fleet);
        }
    }

    private static FleetClientProcess[] Start(
        int instances, RedisServer redis, LoopbackOAuthServer server, DirectoryInfo keys, int requests, Dictionary<string, string>? environment) =>
        [.. Enumerable.Range(0, instances).Select(_ => FleetClientProcess.Start(redis.Configuration, server, keys, requests, environment))];

    private static Dictionary<string, string> Environment(params (string Name, int Value)[] settings) =>
        settings.ToDictionary(s => s.Name, s => s.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static void Dispose(IEnumerable<FleetClientProcess> fleet)
    {
        foreach (var instance in fleet)
        {
            instance.Dispose();
        }
    }

    private sealed class KeyRing : IDisposable
    {
        public DirectoryInfo Directory { get; } = FleetClientProcess.SharedKeyRing();

        public void Dispose() => Directory.Delete(recursive: true);
    }
}
