using System.Text;
using Atomic.Credentials.PostgreSql;
using Atomic.Credentials.Store;

/// <summary>
/// Mode <c>pg-watch SCHEMA</c>: one process of a fleet sharing saved credentials through PostgreSQL
/// (connection string in FLEET_PG_CONNECTION, never on the command line). Prints READY once it
/// listens (the storage's first "anything changed" call), then <c>CHANGED name</c> for each change it
/// hears and <c>ANYTHING</c> for null. Reads <c>WRITE name</c> lines on stdin and writes that row,
/// printing <c>WROTE name version</c>. Ends when stdin closes.
/// </summary>
internal static class PostgreSqlWatcher
{
    public static async Task<int> RunAsync(string schema)
    {
        var options = new PostgreSqlCredentialStorageOptions
        {
            ConnectionString = Environment.GetEnvironmentVariable("FLEET_PG_CONNECTION") ?? string.Empty,
            Schema = schema,
        };
        await using var storage = new PostgreSqlCredentialStorage(options);
        var listening = 0;
        using var watch = storage.Watch(name => Print(
            name is not null ? "CHANGED " + name : Interlocked.Exchange(ref listening, 1) == 0 ? "READY" : "ANYTHING"));

        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("WRITE ", StringComparison.Ordinal))
            {
                var name = line[6..];
                var row = await storage.WriteAsync(new StoredCredential(name, "BasicAuth", "{}", Encoding.UTF8.GetBytes("from another process"), 0, default));
                Print($"WROTE {name} {row.Version}");
            }
        }

        return 0;
    }

    private static void Print(string line)
    {
        lock (Console.Out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}
