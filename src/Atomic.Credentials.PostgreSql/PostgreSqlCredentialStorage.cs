using Atomic.Credentials.PostgreSql.Internal;
using Atomic.Credentials.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Atomic.Credentials.PostgreSql;

/// <summary>
/// Saved credentials in PostgreSQL, shared by a fleet: one row a credential (secrets only as the
/// encrypted bytes the store hands down), the schema created on first use, each write one transaction
/// that also notifies the other processes. <see cref="Watch"/> hears every process's changes through
/// LISTEN/NOTIFY, with a fallback check for the notifications a dropped connection missed.
/// </summary>
public sealed class PostgreSqlCredentialStorage : ICredentialStorage, IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly NpgsqlDataSource listenerSource;
    private readonly CredentialSql sql;
    private readonly SchemaMigrations schema;
    private readonly Watchers watchers;
    private readonly ChangeListener listener;
    private readonly ServerDescription server;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private int disposed;

    /// <summary>Creates the storage; nothing connects until it is first used.</summary>
    /// <param name="options">The connection string, the schema and the change-watching policy.</param>
    /// <param name="timeProvider">The clock of <see cref="StoredCredential.UpdatedAt"/> and of the watching timers; the system's when null.</param>
    /// <param name="loggerFactory">Where the storage and Npgsql log; nowhere when null.</param>
    public PostgreSqlCredentialStorage(
        PostgreSqlCredentialStorageOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        PostgreSqlCredentialStorageOptionsValidator.ThrowIfInvalid(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        logger = loggerFactory.CreateLogger<PostgreSqlCredentialStorage>();
        server = new ServerDescription(options.ConnectionString, options.Schema);
        sql = new CredentialSql(options.Schema);
        schema = new SchemaMigrations(options.Schema);
        dataSource = Build(options, options.ConnectionString, loggerFactory);
        listenerSource = Build(options, ListenerConnectionString(options.ConnectionString), loggerFactory);
        watchers = new Watchers(logger, server);
        listener = new ChangeListener(listenerSource, ReadFingerprintAsync, sql, watchers, options, this.timeProvider, logger, server);
    }

    /// <inheritdoc/>
    public Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return RunAsync($"read '{name}'", async connection =>
        {
            using var command = new NpgsqlCommand(sql.Read, connection);
            command.Parameters.Add(Text("name", name));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var scope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Row(reader) : null;
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var stored = await RunAsync($"write '{row.Name}'", async connection =>
        {
            using var command = new NpgsqlCommand(sql.Write, connection);
            command.Parameters.Add(Text("name", row.Name));
            command.Parameters.Add(Text("type", row.Type));
            command.Parameters.Add(Text("public_fields", row.PublicFields));
            command.Parameters.Add(new NpgsqlParameter<byte[]>("protected_secrets", NpgsqlDbType.Bytea) { TypedValue = row.ProtectedSecrets });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("updated_at", NpgsqlDbType.TimestampTz) { TypedValue = timeProvider.GetUtcNow() });
            command.Parameters.Add(Text("channel", sql.Channel));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var scope = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);

            // Timestamps come back at PostgreSQL's precision (microseconds): the same value a read returns.
            return row with { Version = reader.GetInt64(0), UpdatedAt = reader.GetFieldValue<DateTimeOffset>(1) };
        }, cancellationToken).ConfigureAwait(false);
        watchers.Raise(row.Name);
        return stored;
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await RunAsync($"delete '{name}'", async connection =>
        {
            using var command = new NpgsqlCommand(sql.Delete, connection);
            command.Parameters.Add(Text("name", name));
            command.Parameters.Add(Text("channel", sql.Channel));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var scope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            watchers.Raise(name);
        }

        return deleted;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<StoredCredential>>(prefix is null ? "list" : $"list '{prefix}'", async connection =>
        {
            using var command = new NpgsqlCommand(sql.List, connection);
            command.Parameters.Add(Text("pattern", CredentialSql.StartsWith(prefix)));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var scope = reader.ConfigureAwait(false);
            var rows = new List<StoredCredential>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Row(reader));
            }

            return rows;
        }, cancellationToken);

    /// <summary>
    /// Calls <paramref name="changed"/> with each name written or deleted by this or any other process
    /// on the same database and schema (through LISTEN/NOTIFY, within moments), and with null, "anything
    /// may have changed", once listening starts, after each reconnection, and when the fallback check
    /// finds a change no notification told of. A name may come more than once (this process's own
    /// writes are told at once and again when their notification arrives). Callbacks run on the
    /// listening connection's thread: keep them short.
    /// </summary>
    /// <param name="changed">Called with the changed name, or null for "anything".</param>
    /// <returns>Stops the calls when disposed.</returns>
    public IDisposable Watch(Action<string?> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var subscription = watchers.Add(changed);
        listener.EnsureStarted();
        return subscription;
    }

    /// <summary>Stops listening and closes every connection; once, however often it is called (DI disposes it once a registration).</summary>
    /// <returns>When done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await listener.DisposeAsync().ConfigureAwait(false);
        await listenerSource.DisposeAsync().ConfigureAwait(false);
        await dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private Task<string> ReadFingerprintAsync(CancellationToken cancellationToken) =>
        RunAsync("check for changes", async connection =>
        {
            using var command = new NpgsqlCommand(sql.Fingerprint, connection);
            return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a pooled connection once the schema is current; Npgsql's failures become one exception that says where.</summary>
    private async Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await schema.EnsureAsync(dataSource, cancellationToken).ConfigureAwait(false);
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var scope = connection.ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (NpgsqlException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PostgreSqlCredentialStorageException(
                $"The PostgreSQL credential storage at {server} could not {what}: {exception.Message}", server.Host, server.Database, exception);
        }
    }

    private static StoredCredential Row(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetFieldValue<byte[]>(3),
        reader.GetInt64(4),
        reader.GetFieldValue<DateTimeOffset>(5));

    private static NpgsqlParameter<string> Text(string name, string value) => new(name, NpgsqlDbType.Text) { TypedValue = value };

    private static NpgsqlDataSource Build(PostgreSqlCredentialStorageOptions options, string connectionString, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.EnableTransportSecurity();
        builder.UseLoggerFactory(loggerFactory);
        options.ConfigureDataSource?.Invoke(builder);
        return builder.Build();
    }

    // The listening connection lives for hours doing nothing but wait: its own, never pooled, and
    // probed by Npgsql's keepalive so that a connection cut without a FIN is noticed and reopened.
    private static string ListenerConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (builder.KeepAlive == 0)
        {
            builder.KeepAlive = 15;
        }

        return builder.ConnectionString;
    }
}
