using System.Diagnostics;
using System.Text;
using Atomic.Credentials.Store;
using Atomic.Credentials.Tests.Store;
using Microsoft.Data.Sqlite;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>
/// Every secret field of every kind saved to a SQLite file: neither the file's bytes (with its WAL)
/// nor a dump of it holds one in clear, while both hold the public fields, so the scan does see text.
/// </summary>
public sealed class SqliteSecretSweepTests
{
    private const string PublicValue = "svc-orders"; // BasicAuth's Username: shown, so stored in clear

    [Test]
    public async Task No_secret_of_any_kind_is_in_the_file_its_WAL_or_a_dump()
    {
        using var folder = new SqliteFolder();
        var all = SavedDefinitions.All();
        using (var harness = new StoreHarness(new SqliteCredentialStorage(folder.File())))
        {
            for (var index = 0; index < all.Count; index++)
            {
                await harness.Store.SaveAsync($"tenant{index}/{all[index].Type}", all[index].Definition);
            }

            // The raw bytes while the WAL still holds the writes, then after a checkpoint folded them in.
            var texts = new List<(string Where, string Text)> { ("file and WAL", FileBytes(folder)) };
            Checkpoint(folder.File());
            texts.Add(("checkpointed file", FileBytes(folder)));
            texts.Add(("Microsoft.Data.Sqlite dump", Dump(folder.File())));
            texts.Add(("sqlite3 .dump", await CliDumpAsync(folder.File())));

            foreach (var (where, text) in texts)
            {
                Assert.That(text, Does.Contain(PublicValue), $"{where}: the scan sees the rows");
                foreach (var marker in all.SelectMany(saved => saved.Markers))
                {
                    Assert.That(text.Contains(marker, StringComparison.Ordinal), Is.False, $"{where} holds a secret in clear: {marker[..10]}…");
                }
            }
        }
    }

    // Latin-1 keeps one char a byte, so ASCII markers are found wherever they sit in the file.
    private static string FileBytes(SqliteFolder folder) => string.Concat(
        Directory.GetFiles(folder.Path).Select(file => Encoding.Latin1.GetString(File.ReadAllBytes(file))));

    private static void Checkpoint(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        SqliteCredentialStorageTests.Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    // Every row of every table as text, blobs in hex (what a dump shows).
    private static string Dump(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table';";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\";";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    var value = reader.GetValue(column);
                    dump.Append(value is byte[] bytes ? Convert.ToHexString(bytes) + " " + Encoding.Latin1.GetString(bytes) : value).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    private static async Task<string> CliDumpAsync(string file)
    {
        var sqlite3 = Support.PeerProcess.FindOnPath("sqlite3");
        Support.PeerProcess.RequireOrSkip(sqlite3 is null ? "the sqlite3 command (apt package sqlite3, in tests/peers/apt-packages.txt)" : null);
        using var process = Process.Start(new ProcessStartInfo(sqlite3!, [file, ".dump"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync());
        return output;
    }
}
