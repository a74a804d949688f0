using Npgsql;

namespace Atomic.Credentials.PostgreSql.Internal;

/// <summary>
/// Creates the schema on first use and brings it to the version this library knows, once per
/// process. Processes starting at once take turns on a transaction-scoped advisory lock; a process
/// that finds the schema current runs no DDL at all (so a user without CREATE rights works once it
/// exists), and one that finds a newer schema than it knows refuses rather than guess.
/// </summary>
internal sealed class SchemaMigrations(string schema)
{
    private readonly Lock gate = new();
    private Task? ensuring;
    private volatile bool current;

    // Append only: a migration once released is never edited.
    private string[] Migrations =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS "{schema}".credentials (
            name text COLLATE "C" PRIMARY KEY,
            type text NOT NULL,
            public_fields text NOT NULL,
            protected_secrets bytea NOT NULL,
            version bigint NOT NULL,
            updated_at timestamptz NOT NULL)
        """,
    ];

    public int Latest => Migrations.Length;

    /// <summary>Once per process: one attempt shared by every caller, whose cancellation ends only its own wait; a failed attempt is tried again by the next caller.</summary>
    public Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (current)
        {
            return Task.CompletedTask;
        }

        lock (gate)
        {
            ensuring ??= EnsureOnceAsync(dataSource);
            return ensuring.WaitAsync(cancellationToken);
        }
    }

    private async Task EnsureOnceAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var scope = connection.ConfigureAwait(false);
            if (await ReadVersionAsync(connection, null).ConfigureAwait(false) != Latest)
            {
                await MigrateAsync(connection).ConfigureAwait(false);
            }

            current = true;
        }
        catch
        {
            lock (gate)
            {
                ensuring = null;
            }

            throw;
        }
    }

    private async Task MigrateAsync(NpgsqlConnection connection)
    {
        var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var scope = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended('Atomic.Credentials.PostgreSql:' || @schema, 0))").ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"").ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS \"{schema}\".schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())").ConfigureAwait(false);
        var version = await ReadVersionAsync(connection, transaction).ConfigureAwait(false);
        for (var next = version + 1; next <= Latest; next++)
        {
            await ExecuteAsync(connection, transaction, Migrations[next - 1]).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"INSERT INTO \"{schema}\".schema_version (version) VALUES ({next})").ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>The schema's version: 0 when it does not exist yet; refuses one newer than <see cref="Latest"/>.</summary>
    private async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection, transaction);
        exists.Parameters.AddWithValue("table", $"\"{schema}\".schema_version");
        if (!(bool)(await exists.ExecuteScalarAsync().ConfigureAwait(false))!)
        {
            return 0;
        }

        using var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM \"{schema}\".schema_version", connection, transaction);
        var version = (int)(await read.ExecuteScalarAsync().ConfigureAwait(false))!;
        if (version > Latest)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema '{schema}' is at version {version}, newer than this version of Atomic.Credentials.PostgreSql knows ({Latest}): update the package.");
        }

        return version;
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        if (sql.Contains("@schema", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("schema", schema);
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
