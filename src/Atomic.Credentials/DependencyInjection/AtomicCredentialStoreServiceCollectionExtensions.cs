using Atomic.Credentials.Caching;
using Atomic.Credentials.Store;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the store of credentials saved at run time.</summary>
public static class AtomicCredentialStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ICredentialStore"/> (a singleton <see cref="CredentialStore"/>) over the
    /// storage <paramref name="configure"/> chooses: <c>o.UseSqlite("data/credentials.db")</c>,
    /// <c>o.UseInMemory()</c> or <c>o.UseStorage(…)</c>. Without a choice, an
    /// <see cref="ICredentialStorage"/> already registered is used, else the SQLite file at
    /// <see cref="CredentialStoreOptions.DefaultSqlitePath"/>. Secrets are encrypted with ASP.NET Core
    /// Data Protection unless <c>o.UseProtector(…)</c> says otherwise: persist its keys (see
    /// <see cref="DataProtectionCredentialProtector"/>), or saved credentials do not survive them.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Chooses the storage and the protector.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialStore(this IServiceCollection services, Action<CredentialStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CredentialStoreOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxResolvedCredentials, 1, nameof(options.MaxResolvedCredentials));
        AtomicCredentialsServiceCollectionExtensions.AddCore(services);
        services.RemoveAll<CredentialStoreOptions>();
        services.AddSingleton(options);

        // A storage chosen here wins over one registered before; without a choice, one registered stays.
        if (options.Storage is { } storage)
        {
            services.RemoveAll<ICredentialStorage>();
            services.AddSingleton(storage);
        }
        else
        {
            services.TryAddSingleton<ICredentialStorage>(provider =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(CredentialStoreOptions.DefaultSqlitePath)!);
                return new SqliteCredentialStorage(
                    CredentialStoreOptions.DefaultSqlitePath, provider.GetService<TimeProvider>(), provider.GetService<ILoggerFactory>());
            });
        }

        var protector = options.Protector;
        if (protector is null)
        {
            services.AddDataProtection();
            protector = provider => new DataProtectionCredentialProtector(provider.GetRequiredService<IDataProtectionProvider>());
        }

        services.TryAddSingleton(provider => new CredentialStore(
            provider.GetRequiredService<ICredentialStorage>(), protector(provider), provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ICredentialStore>(provider => provider.GetRequiredService<CredentialStore>());
        return services;
    }
}
