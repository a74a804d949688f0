using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Store;

/// <summary>
/// Keeps saved credentials in a SQLite file (the embedded default): the tables are created on first
/// use, the file is in WAL mode so readers go on while one process writes, and every write is one
/// transaction. Several processes may share the file: each one's watchers hear of another's changes
/// within <see cref="PollInterval"/> (checked only while someone watches).
/// </summary>
public sealed class SqliteCredentialStorage : ICredentialStorage, IDisposable
{
    // How many rows of the change log are kept; a watcher further behind is told "anything changed".
    private const int ChangesKept = 10_000;

    private const int MaxConcurrentOperations = 4;

    private readonly SemaphoreSlim operations = new(MaxConcurrentOperations, MaxConcurrentOperations);
    private readonly string connectionString;
    private readonly string file;
    private readonly StorageWatchers watchers = new();
    private readonly SqliteChangeWatcher changeWatcher;
    private readonly TimeProvider timeProvider;
    private readonly Lock schemaGate = new();
    private bool schemaReady;

    /// <summary>Creates a storage over the SQLite file at <paramref name="path"/>; the file is created when missing, its folder is not.</summary>
    /// <param name="path">The file, e.g. <c>data/credentials.db</c>.</param>
    /// <param name="timeProvider">The clock of <see cref="StoredCredential.UpdatedAt"/> and of the change checks; the system's when null.</param>
    /// <param name="loggerFactory">Where failed change checks are logged.</param>
    public SqliteCredentialStorage(string path, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(new SqliteConnectionStringBuilder { DataSource = ValidPath(path) }, timeProvider, loggerFactory)
    {
    }

    /// <summary>Creates a storage over a SQLite connection (e.g. <c>Mode=ReadOnly</c> for a process that only uses credentials).</summary>
    /// <param name="connection">The connection's settings; pooling is turned on.</param>
    /// <param name="timeProvider">The clock of <see cref="StoredCredential.UpdatedAt"/> and of the change checks; the system's when null.</param>
    /// <param name="loggerFactory">Where failed change checks are logged.</param>
    public SqliteCredentialStorage(SqliteConnectionStringBuilder connection, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(connection.DataSource, nameof(connection));
        connection = new SqliteConnectionStringBuilder(connection.ConnectionString) { Pooling = true };
        connectionString = connection.ConnectionString;
        file = connection.DataSource;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        changeWatcher = new SqliteChangeWatcher(this, watchers, this.timeProvider, Internal.CredentialLoggers.Create<SqliteCredentialStorage>(loggerFactory));
    }

    /// <summary>How often watchers' file is checked for changes by other processes. Default 1 second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The file, as given.</summary>
    public string FilePath => file;

    /// <inheritdoc />
    public Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Run(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, type, public_fields, protected_secrets, version, updated_at FROM credentials WHERE name = $name;";
            command.Parameters.AddWithValue("$name", name);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Row(reader) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var updatedAt = DateTimeOffset.FromUnixTimeMilliseconds(timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        return Changing(row.Name, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO credentials (name, type, public_fields, protected_secrets, version, updated_at)
                VALUES ($name, $type, $public, $secrets, 1, $updated)
                ON CONFLICT (name) DO UPDATE SET type = excluded.type, public_fields = excluded.public_fields,
                    protected_secrets = excluded.protected_secrets, version = credentials.version + 1, updated_at = excluded.updated_at
                RETURNING version;
                """;
            command.Parameters.AddWithValue("$name", row.Name);
            command.Parameters.AddWithValue("$type", row.Type);
            command.Parameters.AddWithValue("$public", row.PublicFields);
            command.Parameters.AddWithValue("$secrets", row.ProtectedSecrets);
            command.Parameters.AddWithValue("$updated", updatedAt.ToUnixTimeMilliseconds());
            var version = (long)command.ExecuteScalar()!;
            return (Changed: true, Result: row with { ProtectedSecrets = [.. row.ProtectedSecrets], Version = version, UpdatedAt = updatedAt });
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Changing(name, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM credentials WHERE name = $name;";
            command.Parameters.AddWithValue("$name", name);
            var deleted = command.ExecuteNonQuery() > 0;
            return (deleted, deleted);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<StoredCredential>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT name, type, public_fields, protected_secrets, version, updated_at FROM credentials
                WHERE $prefix IS NULL OR substr(name, 1, length($prefix)) = $prefix;
                """;
            command.Parameters.AddWithValue("$prefix", (object?)prefix ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            var rows = new List<StoredCredential>();
            while (reader.Read())
            {
                rows.Add(Row(reader));
            }

            // SQLite orders by UTF-8 bytes; the contract is .NET's ordinal order.
            return [.. rows.OrderBy(row => row.Name, StringComparer.Ordinal)];
        }, cancellationToken);

    /// <inheritdoc />
    public IDisposable Watch(Action<string?> changed) => watchers.Add(changed);

    /// <summary>Stops checking the file for changes.</summary>
    public void Dispose() => changeWatcher.Dispose();

    /// <summary>An open connection to the file, its tables created; errors name the file.</summary>
    internal SqliteConnection Open()
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!file.StartsWith(':') && folder is not null && !Directory.Exists(folder))
        {
            throw Failure($"its folder '{folder}' does not exist (the file is created on first use; its folder is not).");
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            EnsureSchema(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>An error that names the file (never a credential's content) and says what is wrong.</summary>
    internal InvalidOperationException Failure(SqliteException exception) => Failure(exception.SqliteErrorCode switch
    {
        8 => "it is read-only: saving or deleting needs write access to the file and to its folder (for the -wal and -shm files).",
        14 => "it cannot be opened: check the path and the permissions of the file and its folder.",
        26 => "it is not a SQLite database.",
        11 => "it is corrupt.",
        5 or 6 => "it stayed locked by another connection past the command timeout.",
        _ => $"SQLite error {exception.SqliteErrorCode} ({exception.SqliteExtendedErrorCode}).",
    }, exception);

    private InvalidOperationException Failure(string problem, Exception? inner = null) =>
        new($"The credential store's SQLite file '{file}' cannot be used: {problem}", inner);

    private void EnsureSchema(SqliteConnection connection)
    {
        lock (schemaGate)
        {
            if (schemaReady)
            {
                return;
            }

            if (SqliteSchema.Ensure(connection) is { } problem)
            {
                throw Failure(problem);
            }

            schemaReady = true;
        }
    }

    // Microsoft.Data.Sqlite runs its async methods synchronously: the work runs here, cancellation checked first.
    // At most a few operations at once: each holds a pooled connection with its own page cache, and
    // a burst of callers (many credentials resolved together) would otherwise open one each.
    private async Task<T> Run<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await operations.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            return work(connection);
        }
        catch (SqliteException exception)
        {
            throw Failure(exception);
        }
        finally
        {
            operations.Release();
        }
    }

    // One transaction: the change itself and a row in the change log, which other processes' watchers read.
    private async Task<T> Changing<T>(string name, Func<SqliteConnection, (bool Changed, T Result)> work, CancellationToken cancellationToken)
    {
        var (changed, result) = await Run(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var (changed, result) = work(connection);
            if (changed)
            {
                using var log = connection.CreateCommand();
                log.CommandText = """
                    INSERT INTO changes (name) VALUES ($name);
                    DELETE FROM changes WHERE seq <= last_insert_rowid() - $kept;
                    SELECT max(seq) FROM changes;
                    """;
                log.Parameters.AddWithValue("$name", name);
                log.Parameters.AddWithValue("$kept", ChangesKept);
                changeWatcher.WroteHere((long)log.ExecuteScalar()!);
            }

            transaction.Commit();
            return (changed, result);
        }, cancellationToken).ConfigureAwait(false);

        if (changed)
        {
            watchers.Notify(name);
        }

        return result;
    }

    private static StoredCredential Row(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetFieldValue<byte[]>(3), // a blob; a value altered into text is read as its bytes and refused at use
        reader.GetInt64(4),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));

    private static string ValidPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return path;
    }
}
