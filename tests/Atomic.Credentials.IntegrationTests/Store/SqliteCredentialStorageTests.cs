using System.Text.Json;
using Atomic.Credentials.Store;
using Atomic.Credentials.Tests.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>The store over a real SQLite file.</summary>
public sealed class SqliteCredentialStorageTests
{
    [Test]
    public async Task Every_kind_saved_to_a_file_is_read_back_by_a_new_storage_on_it()
    {
        using var folder = new SqliteFolder();
        var keys = new EphemeralDataProtectionProvider();
        var all = SavedDefinitions.All();
        using (var writer = new StoreHarness(new SqliteCredentialStorage(folder.File()), keys))
        {
            for (var index = 0; index < all.Count; index++)
            {
                await writer.Store.SaveAsync($"t{index:D2}/{all[index].Type}", all[index].Definition);
            }

            await writer.Store.SaveAsync("t00/BasicAuth", all[0].Definition);
        }

        using var reader = new StoreHarness(new SqliteCredentialStorage(folder.File()), keys);
        var listed = await reader.Store.ListAsync();
        Assert.That(listed.Select(info => info.Type), Is.EqualTo(all.Select(saved => saved.Type)));
        Assert.That(listed.Select(info => info.Version), Is.EqualTo(all.Select((_, index) => index == 0 ? 2L : 1L)));
        for (var index = 0; index < all.Count; index++)
        {
            var resolved = (await reader.Store.ResolveAsync($"t{index:D2}/{all[index].Type}", CancellationToken.None))!;
            Assert.That(JsonElement.DeepEquals(resolved.Definition, all[index].Definition), Is.True, all[index].ToString());
            Assert.That(listed[index].Fields.EnumerateObject().Select(field => field.Name), Is.EquivalentTo(all[index].PublicFields));
        }

        Assert.That((await reader.Store.ListAsync("t01/")).Single().Type, Is.EqualTo(all[1].Type));
        Assert.That(await reader.Store.DeleteAsync("t00/BasicAuth"), Is.True);
        Assert.That((await reader.Store.SaveAsync("t00/BasicAuth", all[0].Definition)).Version, Is.EqualTo(1), "a deleted name starts again");
    }

    [Test]
    public async Task The_file_gets_its_tables_a_schema_version_and_WAL_on_first_use()
    {
        using var folder = new SqliteFolder();
        using (var storage = new SqliteCredentialStorage(folder.File()))
        {
            Assert.That(File.Exists(folder.File()), Is.False, "nothing is created before first use");
            Assert.That(await storage.ListAsync(), Is.Empty);
        }

        using var connection = new SqliteConnection($"Data Source={folder.File()}");
        connection.Open();
        Assert.That(Scalar(connection, "SELECT version FROM schema_version;"), Is.EqualTo(1L));
        Assert.That(Scalar(connection, "PRAGMA journal_mode;"), Is.EqualTo("wal"));
        Assert.That(Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('credentials', 'changes');"), Is.EqualTo(2L));
    }

    [Test]
    public async Task A_file_of_a_newer_schema_is_refused_naming_the_file()
    {
        using var folder = new SqliteFolder();
        using (var storage = new SqliteCredentialStorage(folder.File()))
        {
            await storage.ListAsync();
        }

        Execute(folder.File(), "UPDATE schema_version SET version = 2;");
        SqliteConnection.ClearAllPools();
        using var newer = new SqliteCredentialStorage(folder.File());

        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => newer.ListAsync());

        Assert.That(refused!.Message, Does.Contain(folder.File()).And.Contain("newer version").And.Contain("schema 2"));
    }

    [Test]
    public void A_missing_folder_is_named_in_the_error()
    {
        using var folder = new SqliteFolder();
        var path = Path.Combine(folder.Path, "missing", "credentials.db");
        using var storage = new SqliteCredentialStorage(path);

        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => storage.ReadAsync("a"));

        Assert.That(refused!.Message, Does.Contain(path).And.Contain("does not exist"));
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "missing")), Is.False);
    }

    [Test]
    public async Task A_file_that_is_not_a_database_is_named_in_the_error_and_left_as_it_was()
    {
        using var folder = new SqliteFolder();
        var text = string.Concat(Enumerable.Repeat("not a database, just text. ", 200));
        await File.WriteAllTextAsync(folder.File(), text);
        using var storage = new SqliteCredentialStorage(folder.File());

        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => storage.ListAsync());

        Assert.That(refused!.Message, Does.Contain(folder.File()).And.Contain("is not a SQLite database"));
        Assert.That(await File.ReadAllTextAsync(folder.File()), Is.EqualTo(text));
    }

    [Test]
    public async Task A_read_only_connection_reads_and_refuses_to_write_naming_the_file()
    {
        using var folder = new SqliteFolder();
        using (var writer = new StoreHarness(new SqliteCredentialStorage(folder.File())))
        {
            await writer.Store.SaveAsync("acme/a", SavedDefinitions.All()[0].Definition);
        }

        using var readOnly = new SqliteCredentialStorage(new SqliteConnectionStringBuilder { DataSource = folder.File(), Mode = SqliteOpenMode.ReadOnly });
        using var harness = new StoreHarness(readOnly);

        Assert.That((await harness.Store.GetInfoAsync("acme/a"))?.Version, Is.EqualTo(1));
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => harness.Store.SaveAsync("acme/b", SavedDefinitions.All()[0].Definition));
        Assert.That(refused!.Message, Does.Contain(folder.File()).And.Contain("read-only"));
        Assert.ThrowsAsync<InvalidOperationException>(() => harness.Store.DeleteAsync("acme/a"));
        Assert.That((await harness.Store.ListAsync()).Select(info => info.Name), Is.EqualTo(new[] { "acme/a" }));
    }

    [Test]
    public async Task Rows_altered_in_the_file_are_refused_at_use()
    {
        using var folder = new SqliteFolder();
        using var harness = new StoreHarness(new SqliteCredentialStorage(folder.File()));
        var basic = SavedDefinitions.All()[0];
        await harness.Store.SaveAsync("acme/a", basic.Definition);
        await harness.Store.SaveAsync("acme/b", basic.Definition);
        await harness.Store.SaveAsync("acme/c", basic.Definition);
        await harness.Store.SaveAsync("globex/a", basic.Definition);

        Execute(folder.File(), "UPDATE credentials SET protected_secrets = (SELECT protected_secrets FROM credentials WHERE name = 'acme/a') WHERE name = 'globex/a';");
        Execute(folder.File(), "UPDATE credentials SET protected_secrets = CAST(substr(protected_secrets, 1, 40) || x'00' || substr(protected_secrets, 42) AS BLOB) WHERE name = 'acme/b';");
        Execute(folder.File(), "UPDATE credentials SET protected_secrets = 'text now' WHERE name = 'acme/c';");

        Assert.That(await harness.Store.ResolveAsync("acme/a", CancellationToken.None), Is.Not.Null);
        foreach (var name in new[] { "globex/a", "acme/b", "acme/c" })
        {
            var refused = Assert.ThrowsAsync<CredentialException>(async () => await harness.Store.ResolveAsync(name, CancellationToken.None));
            Assert.That(refused!.Message, Does.Contain("could not be decrypted"), name);
        }
    }

    [Test]
    public async Task A_change_by_one_store_reaches_the_watchers_of_another_on_the_same_file_within_two_seconds()
    {
        using var folder = new SqliteFolder();
        var keys = new EphemeralDataProtectionProvider();
        using var first = new StoreHarness(new SqliteCredentialStorage(folder.File()), keys);
        using var second = new StoreHarness(new SqliteCredentialStorage(folder.File()), keys);
        await first.Store.ListAsync();
        var heardBySecond = new System.Collections.Concurrent.BlockingCollection<(string? Name, long At)>();
        var heardByFirst = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        using var watchSecond = second.Store.Watch(name => heardBySecond.Add((name, System.Diagnostics.Stopwatch.GetTimestamp())));
        using var watchFirst = first.Store.Watch(heardByFirst.Enqueue);
        var figures = new List<TimeSpan>();

        foreach (var change in new Func<Task>[]
        {
            () => first.Store.SaveAsync("acme/a", SavedDefinitions.All()[0].Definition),
            () => first.Store.SaveAsync("acme/a", SavedDefinitions.All()[0].Definition),
            () => first.Store.DeleteAsync("acme/a"),
        })
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await change();
            Assert.That(heardBySecond.TryTake(out var heard, TimeSpan.FromSeconds(2)), Is.True, "the other store heard of the change within 2 s");
            Assert.That(heard.Name, Is.EqualTo("acme/a"));
            figures.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started, heard.At));
        }

        // The writer's own watchers heard each change once, as it was written, not again from the file.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(heardByFirst, Is.EqualTo(new[] { "acme/a", "acme/a", "acme/a" }));
        Assert.That(heardBySecond, Is.Empty);
        Assert.That(await second.Store.ResolveAsync("acme/a", CancellationToken.None), Is.Null);
        TestContext.Progress.WriteLine($"SQLite change seen by the other store after: {string.Join(", ", figures.Select(figure => $"{figure.TotalMilliseconds:F0} ms"))}");
    }

    internal static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
