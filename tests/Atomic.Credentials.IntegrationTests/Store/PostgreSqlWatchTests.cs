using System.Diagnostics;
using System.Globalization;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Changes reach every watcher: this process's at once, another storage's (its own connections, as
/// another process has) and a real second process's through LISTEN/NOTIFY within 2 s, and changes
/// no notification told of through the fallback check.
/// </summary>
[NonParallelizable]
public sealed class PostgreSqlWatchTests : PostgreSqlTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Test]
    public async Task A_write_or_delete_by_one_storage_reaches_the_other_storages_watcher_within_2_seconds()
    {
        var writer = NewStorage();
        var watcher = NewStorage();
        var own = new WatchRecorder();
        var other = new WatchRecorder();
        using var ownWatch = writer.Watch(own.Record);
        var otherWatch = watcher.Watch(other.Record);
        await other.WaitForAsync(null, 0, TimeSpan.FromSeconds(10));

        var latencies = new List<TimeSpan>();
        var heardByOwnBeforeReturn = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            var name = $"acme/crm-{i}";
            var since = Stopwatch.GetTimestamp();
            await writer.WriteAsync(Row(name));
            heardByOwnBeforeReturn.Add(own.Heard(name, since));
            latencies.Add(await other.WaitForAsync(name, since, Deadline));
        }

        var deleted = Stopwatch.GetTimestamp();
        await writer.DeleteAsync("acme/crm-0");
        var deleteLatency = await other.WaitForAsync("acme/crm-0", deleted, Deadline);

        otherWatch.Dispose();
        var afterDispose = Stopwatch.GetTimestamp();
        await writer.WriteAsync(Row("acme/after-dispose"));
        await own.WaitForAsync("acme/after-dispose", afterDispose, Deadline);
        await Task.Delay(500);

        TestContext.Progress.WriteLine(
            $"PostgreSQL change to another storage's watcher: median {Median(latencies)} ms, max {latencies.Max().TotalMilliseconds:F1} ms over {latencies.Count} writes; " +
            $"delete {deleteLatency.TotalMilliseconds:F1} ms");
        Assert.Multiple(() =>
        {
            Assert.That(latencies, Is.All.LessThan(Deadline));
            Assert.That(heardByOwnBeforeReturn, Is.All.True, "this process's own watchers hear of a write before it returns, not after a round trip");
            Assert.That(other.Heard("acme/after-dispose", afterDispose), Is.False, "a disposed watch hears nothing more");
        });
    }

    [Test]
    public async Task A_second_process_hears_this_process_writes_and_this_process_hears_its_writes_within_2_seconds()
    {
        var storage = NewStorage();
        var here = new WatchRecorder();
        using var watch = storage.Watch(here.Record);
        var there = new WatchRecorder();
        var child = StartWatcherProcess(there);
        var toChild = new List<TimeSpan>();
        var fromChild = new List<TimeSpan>();
        try
        {
            await there.WaitForAsync(null, 0, TimeSpan.FromSeconds(30));
            await here.WaitForAsync(null, 0, TimeSpan.FromSeconds(10));

            for (var i = 0; i < 10; i++)
            {
                var since = Stopwatch.GetTimestamp();
                await storage.WriteAsync(Row($"acme/to-child-{i}"));
                toChild.Add(await there.WaitForAsync($"acme/to-child-{i}", since, Deadline));
            }

            // The child's first write pays for its JIT and pool: not a latency of the storage.
            var warmUp = Stopwatch.GetTimestamp();
            await child.StandardInput.WriteLineAsync("WRITE globex/warm-up");
            await child.StandardInput.FlushAsync();
            await here.WaitForAsync("globex/warm-up", warmUp, TimeSpan.FromSeconds(30));

            for (var i = 0; i < 10; i++)
            {
                // From the request to the child, so its own write is counted in: an upper bound.
                var since = Stopwatch.GetTimestamp();
                await child.StandardInput.WriteLineAsync($"WRITE globex/from-child-{i}");
                await child.StandardInput.FlushAsync();
                fromChild.Add(await here.WaitForAsync($"globex/from-child-{i}", since, Deadline));
            }
        }
        finally
        {
            // Its stdin closed, the child stops; killed if it does not.
            child.StandardInput.Close();
            if (!child.WaitForExit(10_000))
            {
                child.Kill(entireProcessTree: true);
            }

            child.Dispose();
        }

        TestContext.Progress.WriteLine(
            $"PostgreSQL change across processes: to the child median {Median(toChild)} ms, max {toChild.Max().TotalMilliseconds:F1} ms; " +
            $"from the child (its write included) median {Median(fromChild)} ms, max {fromChild.Max().TotalMilliseconds:F1} ms");
        Assert.Multiple(async () =>
        {
            Assert.That(toChild.Concat(fromChild), Is.All.LessThan(Deadline));
            Assert.That((await storage.ReadAsync("globex/from-child-9"))?.Version, Is.EqualTo(1), "the child's row is there");
        });
    }

    [Test]
    public async Task The_fallback_check_tells_watchers_of_a_change_no_notification_announced_and_only_then()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var writer = NewStorage();
        await writer.WriteAsync(Row("acme/crm"));
        var watcher = NewStorage(o => o.FallbackCheckInterval = TimeSpan.FromSeconds(5), time);
        var heard = new WatchRecorder();
        using var watch = watcher.Watch(heard.Record);
        await heard.WaitForAsync(null, 0, TimeSpan.FromSeconds(10));

        // A notified change, then checks: nothing unannounced to report.
        var announced = Stopwatch.GetTimestamp();
        await writer.WriteAsync(Row("acme/erp"));
        await heard.WaitForAsync("acme/erp", announced, Deadline);
        await AdvanceAsync(time, TimeSpan.FromSeconds(5), times: 6);
        var quietAfterAnnounced = !heard.Heard(null, announced);

        // A row changed by hand: no notification, and no call until the clock reaches a check.
        var unannounced = Stopwatch.GetTimestamp();
        await SqlAsync($"UPDATE \"{Schema}\".credentials SET protected_secrets = '\\x00'::bytea WHERE name = 'acme/crm'");
        await Task.Delay(1000);
        var quietBeforeCheck = !heard.Heard(null, unannounced);
        var checkedAt = Stopwatch.GetTimestamp();
        while (!heard.Heard(null, unannounced) && Stopwatch.GetElapsedTime(checkedAt) < TimeSpan.FromSeconds(10))
        {
            await AdvanceAsync(time, TimeSpan.FromSeconds(5), times: 1);
        }

        Assert.Multiple(() =>
        {
            Assert.That(quietAfterAnnounced, Is.True, "a notified change is not reported again as 'anything'");
            Assert.That(quietBeforeCheck, Is.True, "the null comes from the check, on the storage's clock");
            Assert.That(heard.Heard(null, unannounced), Is.True, "the check reports the unannounced change as 'anything may have changed'");
            Assert.That(heard.Heard("acme/crm", unannounced), Is.False, "no notification was sent for it");
        });
    }

    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan step, int times)
    {
        for (var i = 0; i < times; i++)
        {
            time.Advance(step);
            await Task.Delay(150);
        }
    }

    private static string Median(List<TimeSpan> values) =>
        values.Order().ElementAt(values.Count / 2).TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The fleet client in pg-watch mode; its output lines go to <paramref name="heard"/>.</summary>
    private Process StartWatcherProcess(WatchRecorder heard)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(FleetClientProcess.Dll());
        info.ArgumentList.Add("pg-watch");
        info.ArgumentList.Add(Schema);
        info.Environment["FLEET_PG_CONNECTION"] = Server.ConnectionString;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            switch (e.Data)
            {
                case "READY" or "ANYTHING":
                    heard.Record(null);
                    break;
                case { } line when line.StartsWith("CHANGED ", StringComparison.Ordinal):
                    heard.Record(line[8..]);
                    break;
            }
        };
        process.ErrorDataReceived += (_, e) => TestContext.Progress.WriteLine("watcher process: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
