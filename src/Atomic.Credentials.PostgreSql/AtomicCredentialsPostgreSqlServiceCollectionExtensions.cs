using Atomic.Credentials.PostgreSql;
using Atomic.Credentials.PostgreSql.Internal;
using Atomic.Credentials.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps saved credentials in PostgreSQL, shared by every process on the same database and schema.</summary>
public static class AtomicCredentialsPostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgreSqlCredentialStorage"/> as the one <see cref="ICredentialStorage"/>
    /// (a singleton), replacing any registered before: <c>AddAtomicCredentialStore</c> keeps its rows
    /// there instead of its SQLite default, whether it is called before or after this.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>"Host=db;Database=app;Username=svc;Password=…"</c>.</param>
    /// <param name="configure">The schema, the change-watching policy, more Npgsql settings.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsPostgreSqlStorage(
        this IServiceCollection services, string connectionString, Action<PostgreSqlCredentialStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new PostgreSqlCredentialStorageOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        PostgreSqlCredentialStorageOptionsValidator.ThrowIfInvalid(options);

        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<PostgreSqlCredentialStorage>();
        services.AddSingleton(provider => new PostgreSqlCredentialStorage(
            options, provider.GetRequiredService<TimeProvider>(), provider.GetService<ILoggerFactory>()));
        services.RemoveAll<ICredentialStorage>();
        services.AddSingleton<ICredentialStorage>(provider => provider.GetRequiredService<PostgreSqlCredentialStorage>());
        return services;
    }
}
