using System.Diagnostics;
using System.Globalization;
using System.Net;
using Atomic.Credentials.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// PostgreSQL stopped under an app sending with saved credentials: what it resolved keeps being
/// sent, what it had not fails clearly and is not sent, and after the restart (same data and port)
/// new credentials resolve and a change made by another process reaches it.
/// </summary>
[NonParallelizable]
public sealed class PostgreSqlSavedCredentialOutageTests : PostgreSqlTestBase
{
    [Test]
    public async Task Resolved_credentials_keep_working_a_new_one_fails_clearly_and_unsent_and_after_the_restart_everything_resumes()
    {
        await using var app = await SavedCredentialApp.StartAsync(services =>
        {
            services.AddAtomicCredentialsPostgreSqlStorage(Server.ConnectionString, o =>
                (o.Schema, o.ReconnectDelay, o.MaxReconnectDelay) = (Schema, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)));
            services.AddAtomicCredentialStore();
        });
        var laterSecret = "later-" + Guid.NewGuid().ToString("N");
        await app.Store.SaveAsync("acme/resolved", SavedCredentialApp.Basic("resolved-secret"));
        await app.Store.SaveAsync("acme/later", SavedCredentialApp.Basic(laterSecret));
        var heard = new WatchRecorder();
        using var watch = app.Watch(heard.Record);

        // The listener's first open tells every watcher "anything may have changed", which drops what
        // was resolved: resolve after it, as a running app would have long before an outage.
        await heard.WaitForAsync(null, 0, TimeSpan.FromSeconds(10));
        Assert.That(await app.SendAsync("acme/resolved", "resolved"), Is.EqualTo(HttpStatusCode.OK));

        await Server.StopAsync();
        var down = Stopwatch.GetTimestamp();
        var during = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            during.Add(await app.SendAsync("acme/resolved", "resolved"));
            await Task.Delay(100); // the listener's connection drops and retries meanwhile
        }

        var refused = Assert.ThrowsAsync<CredentialException>(() => app.SendAsync("acme/later", "later"));
        var refusedAgain = Assert.ThrowsAsync<CredentialException>(() => app.SendAsync("acme/later", "later"));
        var resolvedDuringOutage = app.Received.Where(r => r.Path == "/resolved" && r.At >= down).Select(SavedCredentialApp.PasswordOf).ToList();

        // Taken before the restart: the listener may reconnect before pg_ctl returns (it polls for readiness).
        var up = Stopwatch.GetTimestamp();
        await Server.RestartAsync();
        var reconnected = await heard.WaitForAsync(null, up, TimeSpan.FromSeconds(10));
        var laterAfterRestart = await app.SendAsync("acme/later", "later");

        // A change made after the restart by another process reaches this one through the reconnected listener.
        using var writer = await StoreWriterProcess.StartAsync("postgres", Schema, app.KeysFolder, Server.ConnectionString);
        List<TimeSpan> latencies;
        await using (var sender = app.StartSending("acme/resolved", "resolved"))
        {
            var (_, savedAt) = await writer.SaveAsync("acme/resolved", SavedCredentialApp.Basic("rotated-after-restart"));
            var first = await app.WaitForAsync(r => SavedCredentialApp.PasswordOf(r) == "rotated-after-restart", savedAt, TimeSpan.FromSeconds(10), "with the secret saved after the restart");
            latencies = [Stopwatch.GetElapsedTime(savedAt, first.At)];
            Assert.That(sender.Failures, Is.Empty);
        }

        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL outage through the handler: '{refused!.Message}'; listener back {reconnected.TotalMilliseconds:F0} ms after the restart; " +
            $"a secret saved by another process after the restart carried {latencies[0].TotalMilliseconds:F1} ms after its save returned"));
        var where = $"127.0.0.1:{Server.Port.ToString(CultureInfo.InvariantCulture)}/postgres";
        Assert.Multiple(() =>
        {
            Assert.That(during, Is.All.EqualTo(HttpStatusCode.OK), "the credential resolved before the outage is still applied");
            Assert.That(resolvedDuringOutage, Has.Count.EqualTo(10).And.All.EqualTo("resolved-secret"), "and each of those requests carried it");
            Assert.That(refused.Message, Does.Contain(where).And.Contain("'acme/later'"), "the error names the server, the database and the credential");
            Assert.That(refused.CredentialName, Is.EqualTo("acme/later"));
            Assert.That(refused.InnerException, Is.InstanceOf<PostgreSqlCredentialStorageException>(), "a CredentialException like every refusal, the store's own error inside");
            Assert.That(refused.ToString() + refusedAgain!.ToString(), Does.Not.Contain(Server.Password).And.Not.Contain(laterSecret), "never the password or a secret");
            Assert.That(app.Received.Where(r => r.Path == "/later" && r.At < up), Is.Empty, "nothing was sent for the credential that could not be resolved");
            Assert.That(laterAfterRestart, Is.EqualTo(HttpStatusCode.OK), "the failure was not kept: after the restart it resolves");
            Assert.That(SavedCredentialApp.PasswordOf(app.Received.Last(r => r.Path == "/later")), Is.EqualTo(laterSecret));
            Assert.That(latencies, Is.All.LessThan(CrossProcessRotation.Deadline));
        });
    }
}
