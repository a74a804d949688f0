using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Mode <c>store-save postgres SCHEMA</c> or <c>store-save sqlite FILE</c>: another process of an app
/// that saves credentials through its own <see cref="ICredentialStore"/> (PostgreSQL connection string
/// in FLEET_PG_CONNECTION, never on the command line; Data Protection keys shared through the folder
/// in FLEET_KEYS). Prints READY once the store answers, then reads <c>SAVE name definition-json</c>
/// lines on stdin and prints <c>SAVED name version timestamp</c>, the timestamp taken when SaveAsync
/// returned (<see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC on Linux, comparable across
/// processes). A refused save prints <c>FAILED name message</c>. Ends when stdin closes.
/// </summary>
internal static class StoreWriter
{
    /// <summary>The Data Protection application name the tests use too: one key ring for both processes.</summary>
    public const string ApplicationName = "atomic-store-e2e";

    public static async Task<int> RunAsync(string backend, string target)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(Environment.GetEnvironmentVariable("FLEET_KEYS") ?? throw new InvalidOperationException("FLEET_KEYS is not set")));
        if (backend == "postgres")
        {
            services.AddAtomicCredentialsPostgreSqlStorage(Environment.GetEnvironmentVariable("FLEET_PG_CONNECTION") ?? string.Empty, o => o.Schema = target);
            services.AddAtomicCredentialStore();
        }
        else
        {
            services.AddAtomicCredentialStore(o => o.UseSqlite(target));
        }

        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ICredentialStore>();
        await store.ListAsync();
        Console.WriteLine("READY");

        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line.Split(' ', 3) is not ["SAVE", var name, var json])
            {
                continue;
            }

            try
            {
                var saved = await store.SaveAsync(name, JsonDocument.Parse(json).RootElement);
                var at = Stopwatch.GetTimestamp();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SAVED {name} {saved.Version} {at}"));
            }
            catch (Exception exception) when (exception is Atomic.Credentials.CredentialException or InvalidOperationException or Atomic.Credentials.PostgreSql.PostgreSqlCredentialStorageException)
            {
                Console.WriteLine($"FAILED {name} {exception.Message.ReplaceLineEndings(" ")}");
            }
        }

        return 0;
    }
}
