using System.Diagnostics;
using System.Globalization;
using Atomic.Credentials.PostgreSql;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>PostgreSQL stopped and started again under running storages (a cluster of this fixture's own).</summary>
[NonParallelizable]
public sealed class PostgreSqlOutageTests : PostgreSqlTestBase
{
    [Test]
    public async Task Down_the_server_fails_clearly_without_the_password_and_back_up_watchers_hear_anything_changed_and_writes_resume()
    {
        using var telemetry = new TelemetryRecorder();
        using var loggerFactory = telemetry.LoggerFactory();
        var writer = NewStorage(loggerFactory: loggerFactory);
        var watcher = NewStorage(o => (o.ReconnectDelay, o.MaxReconnectDelay) = (TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)), loggerFactory: loggerFactory);
        await writer.WriteAsync(Row("acme/crm"));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => writer.ListAsync())); // idle connections in the pool, cut by the outage
        var heard = new WatchRecorder();
        using var watch = watcher.Watch(heard.Record);
        await heard.WaitForAsync(null, 0, TimeSpan.FromSeconds(10));

        await Server.StopAsync();
        var down = Stopwatch.GetTimestamp();
        var read = Assert.ThrowsAsync<PostgreSqlCredentialStorageException>(() => writer.ReadAsync("acme/crm"));
        var write = Assert.ThrowsAsync<PostgreSqlCredentialStorageException>(() => writer.WriteAsync(Row("acme/crm", secret: "rotated")));
        telemetry.AddException(read!);
        telemetry.AddException(write!);
        await Task.Delay(1500); // the listener notices and retries while the server is down

        await Server.RestartAsync();
        var up = Stopwatch.GetTimestamp();
        var reconnected = await heard.WaitForAsync(null, up, TimeSpan.FromSeconds(10));
        var written = Stopwatch.GetTimestamp();
        var rotated = await writer.WriteAsync(Row("acme/crm", secret: "rotated"));
        var delivered = await heard.WaitForAsync("acme/crm", written, TimeSpan.FromSeconds(2));

        TestContext.Progress.WriteLine(
            $"PostgreSQL outage: '{read!.Message}'; watchers told 'anything changed' {reconnected.TotalMilliseconds:F0} ms after the restart, " +
            $"the next write delivered in {delivered.TotalMilliseconds:F1} ms");
        var where = $"127.0.0.1:{Server.Port.ToString(CultureInfo.InvariantCulture)}/postgres";
        Assert.Multiple(() =>
        {
            Assert.That(read.Message, Does.Contain(where).And.Contain("read 'acme/crm'"), "names the host, port and database, and what failed");
            Assert.That(write!.Message, Does.Contain(where).And.Contain("write 'acme/crm'"));
            Assert.That((read.Host, read.Database), Is.EqualTo(("127.0.0.1", "postgres")));
            Assert.That(heard.Heard(null, down), Is.True);
            Assert.That(rotated.Version, Is.EqualTo(2), "the write refused during the outage changed nothing; the next one is version 2");
            Assert.That(telemetry.Everything().Where(text => text.Contains("listening connection is down", StringComparison.Ordinal)), Is.Not.Empty, "the drop is logged");
            Assert.That(telemetry.Everything(), Has.None.Contain(Server.Password), "no message, exception or log line holds the password");
        });
    }
}
