using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Two OS processes on one store: process B (the FleetClient) saves a new secret for a credential
/// while process A sends a request naming it every ~20 ms through the no-name handler to a loopback
/// receiver. Measured: from B's SaveAsync returning to the first request A's receiver got with the
/// new secret, over 10 rotations.
/// </summary>
internal static class CrossProcessRotation
{
    public const string Name = "acme/hook";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>Rotates <see cref="Name"/> <paramref name="rounds"/> times through <paramref name="writer"/>; returns each latency.</summary>
    public static async Task<List<TimeSpan>> MeasureAsync(SavedCredentialApp app, StoreWriterProcess writer, int rounds = 10)
    {
        var latencies = new List<TimeSpan>();
        var secrets = new List<string> { "initial" };
        var sender = app.StartSending(Name);
        await using (sender)
        {
            await app.WaitForAsync(r => SavedCredentialApp.PasswordOf(r) == "initial", 0, TimeSpan.FromSeconds(10), "with the initial secret");
            for (var i = 1; i <= rounds; i++)
            {
                var secret = $"rotated-{i}-{Guid.NewGuid():N}";
                secrets.Add(secret);
                var (version, savedAt) = await writer.SaveAsync(Name, SavedCredentialApp.Basic(secret));
                Assert.That(version, Is.EqualTo(i + 1));
                var first = await app.WaitForAsync(r => SavedCredentialApp.PasswordOf(r) == secret, savedAt, TimeSpan.FromSeconds(10), $"with rotation {i}'s secret");
                latencies.Add(Stopwatch.GetElapsedTime(savedAt, first.At));
            }
        }

        // One request at a time: once a secret arrived, no request carried an older one again.
        var carried = app.Received.Select(SavedCredentialApp.PasswordOf).ToList();
        var runs = carried.Where((password, index) => index == 0 || password != carried[index - 1]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sender.Failures, Is.Empty, "every request of A was sent and answered 200");
            Assert.That(runs, Is.EqualTo(secrets), "each secret in turn, never an older one after a newer");
            Assert.That(latencies, Is.All.LessThan(Deadline));
        });
        return latencies;
    }

    public static string Figures(List<TimeSpan> latencies) => string.Create(CultureInfo.InvariantCulture,
        $"median {latencies.Order().ElementAt(latencies.Count / 2).TotalMilliseconds:F1} ms, max {latencies.Max().TotalMilliseconds:F1} ms " +
        $"over {latencies.Count} rotations ({string.Join(", ", latencies.Select(l => l.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms)");
}

[NonParallelizable]
public sealed class PostgreSqlCrossProcessRotationTests : PostgreSqlTestBase
{
    [Test]
    public async Task A_secret_saved_by_another_process_is_carried_by_this_process_next_requests_within_2_seconds()
    {
        await using var app = await SavedCredentialApp.StartAsync(services =>
        {
            services.AddAtomicCredentialsPostgreSqlStorage(Server.ConnectionString, o => o.Schema = Schema);
            services.AddAtomicCredentialStore();
        });
        await app.Store.SaveAsync(CrossProcessRotation.Name, SavedCredentialApp.Basic("initial")); // creates the schema and the key ring
        using var writer = await StoreWriterProcess.StartAsync("postgres", Schema, app.KeysFolder, Server.ConnectionString);

        var latencies = await CrossProcessRotation.MeasureAsync(app, writer);

        TestContext.Progress.WriteLine("PostgreSQL, secret saved by another process → first request carrying it: " + CrossProcessRotation.Figures(latencies));
    }
}

[NonParallelizable]
public sealed class SqliteCrossProcessRotationTests
{
    [Test]
    public async Task A_secret_saved_by_another_process_on_the_same_file_is_carried_by_this_process_next_requests_within_2_seconds()
    {
        using var folder = new SqliteFolder();
        await using var app = await SavedCredentialApp.StartAsync(services => services.AddAtomicCredentialStore(o => o.UseSqlite(folder.File())));
        await app.Store.SaveAsync(CrossProcessRotation.Name, SavedCredentialApp.Basic("initial"));
        using var writer = await StoreWriterProcess.StartAsync("sqlite", folder.File(), app.KeysFolder);

        var latencies = await CrossProcessRotation.MeasureAsync(app, writer);

        TestContext.Progress.WriteLine("SQLite (data version, 1 s poll), secret saved by another process → first request carrying it: " + CrossProcessRotation.Figures(latencies));
    }
}
