using Microsoft.Data.Sqlite;

namespace Atomic.Credentials.IntegrationTests.Store;

/// <summary>A temporary folder for SQLite files, deleted (pools cleared first) when disposed.</summary>
internal sealed class SqliteFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"atomic-store-{Guid.NewGuid():N}");

    public SqliteFolder() => Directory.CreateDirectory(Path);

    public string File(string name = "credentials.db") => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
