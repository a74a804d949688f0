using Npgsql;

namespace Atomic.Credentials.PostgreSql;

/// <summary>Where and how <see cref="PostgreSqlCredentialStorage"/> keeps saved credentials.</summary>
public sealed class PostgreSqlCredentialStorageOptions
{
    /// <summary>The default <see cref="Schema"/>.</summary>
    public const string DefaultSchema = "atomic_credentials";

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=app;Username=svc;Password=…</c>.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The schema of the tables (created on first use, with its tables), also the name of the
    /// LISTEN/NOTIFY channel. Lower-case letters, digits and <c>_</c>, at most 63 characters; default
    /// <c>atomic_credentials</c>. Processes that share credentials use the same schema.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// How often each watching process compares a fingerprint of the table with the last one it saw,
    /// and calls its watchers with null when the table changed without a notification (one sent while
    /// its listening connection was down, or a row changed by hand). Default 5 seconds.
    /// </summary>
    public TimeSpan FallbackCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before the listening connection is opened again after it dropped; it doubles up to <see cref="MaxReconnectDelay"/>. Default 1 second.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts to open the listening connection again. Default 30 seconds.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Adds to the Npgsql data sources the storage builds (TLS and basic types are already enabled):
    /// a periodic password provider, Kerberos (<see cref="NpgsqlSlimDataSourceBuilder.EnableIntegratedSecurity"/>), …
    /// </summary>
    public Action<NpgsqlSlimDataSourceBuilder>? ConfigureDataSource { get; set; }
}
