using System.Net;
using Atomic.Credentials.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>Rows altered with SQL in PostgreSQL are refused at use, through the handler, and nothing is sent.</summary>
[NonParallelizable]
public sealed class PostgreSqlTamperedRowTests : PostgreSqlTestBase
{
    [Test]
    public async Task A_row_whose_secrets_or_public_fields_were_changed_with_SQL_is_refused_at_use_and_not_sent()
    {
        await using var app = await SavedCredentialApp.StartAsync(services =>
        {
            services.AddAtomicCredentialsPostgreSqlStorage(Server.ConnectionString, o => o.Schema = Schema);
            services.AddAtomicCredentialStore();
        });
        var secrets = new Dictionary<string, string>();
        foreach (var name in new[] { "acme/intact", "acme/swapped", "acme/flipped", "acme/fields" })
        {
            secrets[name] = "secret-" + Guid.NewGuid().ToString("N");
            await app.Store.SaveAsync(name, SavedCredentialApp.Basic(secrets[name]));
        }

        var table = $"\"{Schema}\".credentials";
        await SqlAsync($"UPDATE {table} SET protected_secrets = (SELECT protected_secrets FROM {table} WHERE name = 'acme/intact') WHERE name = 'acme/swapped'");
        await SqlAsync($"UPDATE {table} SET protected_secrets = set_byte(protected_secrets, 40, (get_byte(protected_secrets, 40) + 1) % 256) WHERE name = 'acme/flipped'");
        await SqlAsync($"UPDATE {table} SET public_fields = replace(public_fields, '\"svc\"', '\"attacker\"') WHERE name = 'acme/fields'");
        Assert.That(await SqlAsync($"SELECT count(*) FROM {table} WHERE public_fields LIKE '%attacker%'"), Is.EqualTo(1L), "the public field was changed");

        Assert.That(await app.SendAsync("acme/intact", "intact"), Is.EqualTo(HttpStatusCode.OK));
        foreach (var name in new[] { "acme/swapped", "acme/flipped", "acme/fields" })
        {
            var refused = Assert.ThrowsAsync<CredentialException>(() => app.SendAsync(name, name.Replace('/', '-')), name);
            Assert.Multiple(() =>
            {
                Assert.That(refused!.CredentialName, Is.EqualTo(name));
                Assert.That(refused.Message, Does.Contain("could not be decrypted").And.Contain("altered"), name);
                Assert.That(refused.ToString(), Does.Not.Contain(secrets[name]).And.Not.Contain(secrets["acme/intact"]), name);
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(app.Received.Select(r => r.Path), Is.EqualTo(new[] { "/intact" }), "nothing was sent for an altered row");
            Assert.That(SavedCredentialApp.PasswordOf(app.Received[0]), Is.EqualTo(secrets["acme/intact"]));
        });
    }
}

/// <summary>A SQLite file an app cannot use as it asked: errors name the file, and nothing is sent.</summary>
public sealed class SqliteUnusableFileTests
{
    [Test]
    public async Task A_missing_folder_fails_the_request_naming_the_file_and_nothing_is_sent()
    {
        using var folder = new SqliteFolder();
        var path = Path.Combine(folder.Path, "missing", "credentials.db");
        await using var app = await SavedCredentialApp.StartAsync(services => services.AddAtomicCredentialStore(o => o.UseSqlite(path)));

        var refused = Assert.ThrowsAsync<CredentialException>(() => app.SendAsync("acme/crm"));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.Contain(path).And.Contain("does not exist"));
            Assert.That(refused.CredentialName, Is.EqualTo("acme/crm"));
            Assert.That(app.Received, Is.Empty);
        });
    }

    [Test]
    public async Task A_file_opened_read_only_applies_its_credentials_and_refuses_a_save_naming_the_file()
    {
        using var folder = new SqliteFolder();
        await using (var writer = await SavedCredentialApp.StartAsync(services => services.AddAtomicCredentialStore(o => o.UseSqlite(folder.File()))))
        {
            await writer.Store.SaveAsync("acme/crm", SavedCredentialApp.Basic("saved-secret"));
            CopyKeys(writer.KeysFolder, folder.Path);
        }

        await using var app = await SavedCredentialApp.StartAsync(services => services.AddAtomicCredentialStore(o => o.UseStorage(_ =>
            new SqliteCredentialStorage(new SqliteConnectionStringBuilder { DataSource = folder.File(), Mode = SqliteOpenMode.ReadOnly }))));
        CopyKeys(folder.Path, app.KeysFolder);

        var sent = await app.SendAsync("acme/crm");
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => app.Store.SaveAsync("acme/crm", SavedCredentialApp.Basic("rotated")));

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(SavedCredentialApp.PasswordOf(app.Received.Single()), Is.EqualTo("saved-secret"));
            Assert.That(refused!.Message, Does.Contain(folder.File()).And.Contain("read-only"));
        });
    }

    // The key ring travels with the file, as it would between two processes sharing both.
    private static void CopyKeys(string from, string to)
    {
        foreach (var key in Directory.GetFiles(from, "key-*.xml"))
        {
            File.Copy(key, Path.Combine(to, Path.GetFileName(key)), overwrite: true);
        }
    }
}
