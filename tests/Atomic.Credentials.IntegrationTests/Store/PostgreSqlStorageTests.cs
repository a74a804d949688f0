using System.Text;
using Atomic.Credentials.PostgreSql;
using Atomic.Credentials.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>Rows, versions, listing, schema creation and the dump, against a real PostgreSQL.</summary>
[NonParallelizable]
public sealed class PostgreSqlStorageTests : PostgreSqlTestBase
{
    [Test]
    public async Task Rows_are_written_read_listed_by_prefix_in_ordinal_order_and_deleted()
    {
        var storage = NewStorage();
        foreach (var name in new[] { "acme/erp", "globex/crm", "acme/crm", "acme_x", "acmeXx", "Acme/upper" })
        {
            await storage.WriteAsync(Row(name, secret: "bytes of " + name, fields: $$"""{"Username":"{{name}}","AllowedHosts":["a.example.com"]}"""));
        }

        var read = await storage.ReadAsync("acme/crm");
        var acme = await storage.ListAsync("acme/");
        var underscore = await storage.ListAsync("acme_");
        var all = await storage.ListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.Not.Null);
            Assert.That(read!.Type, Is.EqualTo("BasicAuth"));
            Assert.That(read.PublicFields, Is.EqualTo("""{"Username":"acme/crm","AllowedHosts":["a.example.com"]}"""), "the JSON text exactly as written");
            Assert.That(Encoding.UTF8.GetString(read.ProtectedSecrets), Is.EqualTo("bytes of acme/crm"));
            Assert.That(acme.Select(row => row.Name), Is.EqualTo(new[] { "acme/crm", "acme/erp" }));
            Assert.That(underscore.Select(row => row.Name), Is.EqualTo(new[] { "acme_x" }), "'_' in a prefix is a character, not a LIKE wildcard");
            Assert.That(all.Select(row => row.Name), Is.EqualTo(all.Select(row => row.Name).Order(StringComparer.Ordinal)), "ordinal order");
            Assert.That(all, Has.Count.EqualTo(6));
        });

        Assert.That(await storage.DeleteAsync("acme/crm"), Is.True);
        Assert.Multiple(async () =>
        {
            Assert.That(await storage.DeleteAsync("acme/crm"), Is.False, "nothing left to delete");
            Assert.That(await storage.ReadAsync("acme/crm"), Is.Null);
            Assert.That((await storage.ListAsync("acme/")).Select(row => row.Name), Is.EqualTo(new[] { "acme/erp" }));
            Assert.That(await storage.ReadAsync("nobody"), Is.Null);
        });
    }

    [Test]
    public async Task Each_write_is_one_version_above_the_last_and_stamped_by_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero).AddTicks(1234567));
        var storage = NewStorage(timeProvider: time);

        var first = await storage.WriteAsync(Row("acme/crm") with { Version = 42 });
        time.Advance(TimeSpan.FromMinutes(5));
        var second = await storage.WriteAsync(Row("acme/crm", secret: "rotated"));
        var third = await storage.WriteAsync(Row("acme/crm", secret: "rotated again"));
        var read = await storage.ReadAsync("acme/crm");
        await storage.DeleteAsync("acme/crm");
        var afterDelete = await storage.WriteAsync(Row("acme/crm"));

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first.Version, second.Version, third.Version }, Is.EqualTo(new long[] { 1, 2, 3 }), "the row's own Version is ignored");
            Assert.That(first.UpdatedAt, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero).AddTicks(1234560)), "the clock, at PostgreSQL's microseconds");
            Assert.That(second.UpdatedAt - first.UpdatedAt, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(read, Is.EqualTo(third with { ProtectedSecrets = read!.ProtectedSecrets }), "a read returns what the write returned");
            Assert.That(Encoding.UTF8.GetString(read.ProtectedSecrets), Is.EqualTo("rotated again"));
            Assert.That(afterDelete.Version, Is.EqualTo(1), "a name written again after a delete starts over");
        });
    }

    [Test]
    public async Task Concurrent_writers_to_one_name_from_several_connections_never_lose_a_version()
    {
        const int Writers = 4;
        const int WritesEach = 25;
        var storages = Enumerable.Range(0, Writers).Select(_ => NewStorage()).ToList();

        var versions = await Task.WhenAll(storages.SelectMany(storage => Enumerable.Range(0, WritesEach).Select(async i =>
            (await storage.WriteAsync(Row("acme/hot", secret: "write " + i))).Version)));

        Assert.Multiple(async () =>
        {
            Assert.That(versions.Order(), Is.EqualTo(Enumerable.Range(1, Writers * WritesEach).Select(v => (long)v)), "every version once");
            Assert.That((await storages[0].ReadAsync("acme/hot"))!.Version, Is.EqualTo(Writers * WritesEach));
        });
    }

    [Test]
    public async Task Processes_starting_at_once_on_a_new_schema_create_it_once_with_its_version_row()
    {
        var storages = Enumerable.Range(0, 8).Select(_ => NewStorage()).ToList();

        var reads = await Task.WhenAll(storages.Select(storage => storage.ReadAsync("none")));

        Assert.Multiple(async () =>
        {
            Assert.That(reads, Is.All.Null);
            Assert.That(await SqlAsync($"SELECT string_agg(version::text, ',') FROM \"{Schema}\".schema_version"), Is.EqualTo("1"));
            Assert.That(
                await SqlAsync($"SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = '{Schema}' AND table_name = 'credentials'"),
                Is.EqualTo("name text, type text, public_fields text, protected_secrets bytea, version bigint, updated_at timestamp with time zone"));
        });
    }

    [Test]
    public async Task A_schema_newer_than_the_package_is_refused_rather_than_used()
    {
        await NewStorage().ReadAsync("warm-up");
        await SqlAsync($"INSERT INTO \"{Schema}\".schema_version (version) VALUES (99)");

        var exception = Assert.ThrowsAsync<InvalidOperationException>(() => NewStorage().ReadAsync("acme/crm"));

        Assert.That(exception!.Message, Does.Contain("version 99").And.Contain("update the package"));
    }

    [Test]
    public async Task A_dump_of_the_database_holds_the_protected_secrets_only_as_bytea()
    {
        var storage = NewStorage();
        var secret = "SECRET-MARKER-" + Guid.NewGuid().ToString("N");
        await storage.WriteAsync(Row("acme/crm", secret: secret, fields: """{"Username":"PUBLIC-MARKER"}"""));

        var dump = await Server.DumpAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dump, Does.Contain($"CREATE TABLE {Schema}.credentials"), "the dump has the table");
            Assert.That(dump, Does.Contain("PUBLIC-MARKER"), "and its rows");
            Assert.That(dump, Does.Contain("\\x" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret))), "the bytes as bytea hex");
            Assert.That(dump, Does.Not.Contain(secret), "never as text");
        });
    }

    [Test]
    public async Task The_DI_extension_registers_one_storage_that_replaces_an_earlier_one_and_is_disposed_with_the_provider()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICredentialStorage, UnusedStorage>();
        services.AddAtomicCredentialsPostgreSqlStorage(Server.ConnectionString, options => options.Schema = Schema);

        StoredCredential written;
        await using (var provider = services.BuildServiceProvider())
        {
            var storage = provider.GetRequiredService<ICredentialStorage>();
            Assert.That(storage, Is.SameAs(provider.GetRequiredService<PostgreSqlCredentialStorage>()));
            Assert.That(services.Count(service => service.ServiceType == typeof(ICredentialStorage)), Is.EqualTo(1));
            written = await storage.WriteAsync(Row("acme/crm"));
        }

        Assert.That((await NewStorage().ReadAsync("acme/crm"))?.Version, Is.EqualTo(written.Version), "written to this server and schema");
    }

    [Test]
    public void Bad_options_are_refused_at_registration_without_the_password()
    {
        var services = new ServiceCollection();
        var connection = Server.ConnectionString;

        var badSchema = Assert.Throws<ArgumentException>(() => services.AddAtomicCredentialsPostgreSqlStorage(connection, o => o.Schema = "Bad-Schema"));
        var badString = Assert.Throws<ArgumentException>(() => services.AddAtomicCredentialsPostgreSqlStorage(connection + ";Unknown Key=" + Server.Password));
        var badInterval = Assert.Throws<ArgumentException>(() => services.AddAtomicCredentialsPostgreSqlStorage(connection, o => o.FallbackCheckInterval = TimeSpan.Zero));

        Assert.Multiple(() =>
        {
            Assert.That(badSchema!.Message, Does.Contain("Schema"));
            Assert.That(badString!.Message, Does.Contain("ConnectionString"));
            Assert.That(badInterval!.Message, Does.Contain("FallbackCheckInterval"));
            foreach (var exception in new Exception[] { badSchema, badString, badInterval })
            {
                Assert.That(exception.ToString(), Does.Not.Contain(Server.Password));
            }
        });
    }

    private sealed class UnusedStorage : ICredentialStorage
    {
        public Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IDisposable Watch(Action<string?> changed) => throw new NotSupportedException();
    }
}
