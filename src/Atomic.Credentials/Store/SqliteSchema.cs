using Microsoft.Data.Sqlite;

namespace Atomic.Credentials.Store;

/// <summary>
/// The tables of <see cref="SqliteCredentialStorage"/>, created on first use. <c>schema_version</c>
/// holds the version of this layout, so a later release can migrate a file written by this one.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    // changes: one row a write or delete, read by other processes' watchers (see SqliteChangeWatcher).
    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS credentials (
            name TEXT NOT NULL PRIMARY KEY,
            type TEXT NOT NULL,
            public_fields TEXT NOT NULL,
            protected_secrets BLOB NOT NULL,
            version INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
        """;

    /// <summary>Creates the tables when the file has none; refuses a file of a newer layout.</summary>
    /// <returns>A problem to report, or null when the file is ready.</returns>
    public static string? Ensure(SqliteConnection connection)
    {
        if (Read(connection) is { } existing)
        {
            return Check(existing);
        }

        // journal_mode cannot change inside a transaction; WAL lets readers go on while one process writes.
        Execute(connection, "PRAGMA journal_mode=WAL;");
        using var transaction = connection.BeginTransaction();
        if (Read(connection) is { } raced)
        {
            return Check(raced);
        }

        Execute(connection, CreateTables);
        Execute(connection, $"INSERT INTO schema_version (version) VALUES ({Version});");
        transaction.Commit();
        return null;
    }

    private static long? Read(SqliteConnection connection)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if ((long)exists.ExecuteScalar()! == 0)
        {
            return null;
        }

        using var read = connection.CreateCommand();
        read.CommandText = "SELECT max(version) FROM schema_version;";
        return read.ExecuteScalar() as long?;
    }

    private static string? Check(long version) => version <= Version
        ? null
        : $"it was written by a newer version of Atomic.Credentials (schema {version}; this version knows {Version} and below).";

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
