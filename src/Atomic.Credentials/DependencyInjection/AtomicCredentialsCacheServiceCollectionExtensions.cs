using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses where credentials keep their tokens and JWTs: for all of them, or for one.</summary>
public static class AtomicCredentialsCacheServiceCollectionExtensions
{
    /// <summary>
    /// Every credential shares its material through the registered <see cref="IDistributedCache"/>
    /// (e.g. <c>services.AddStackExchangeRedisCache(…)</c>), with an in-process first level.
    /// For Redis without touching the app's own <see cref="IDistributedCache"/>, see the
    /// Atomic.Credentials.Redis package.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Timeout and retry policy; validated here.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsDistributedCache(
        this IServiceCollection services, Action<DistributedCredentialCacheOptions>? configure = null) =>
        services.AddAtomicCredentialsCache(DistributedFactory(configure));

    /// <summary>Like <see cref="AddAtomicCredentialsDistributedCache(IServiceCollection, Action{DistributedCredentialCacheOptions}?)"/>, for one credential only.</summary>
    /// <param name="services">The services.</param>
    /// <param name="credentialName">The credential whose material is shared; the others keep theirs in memory.</param>
    /// <param name="configure">Timeout and retry policy; validated here.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsDistributedCache(
        this IServiceCollection services, string credentialName, Action<DistributedCredentialCacheOptions>? configure = null) =>
        services.AddAtomicCredentialsCache(credentialName, DistributedFactory(configure));

    /// <summary>Every credential uses the <see cref="ICredentialCache"/> that <paramref name="factory"/> builds (once).</summary>
    /// <param name="services">The services.</param>
    /// <param name="factory">Builds the cache; it is disposed with the service provider.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsCache(
        this IServiceCollection services, Func<IServiceProvider, ICredentialCache> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.RemoveAll<ICredentialCache>();
        services.AddSingleton(factory);
        AtomicCredentialsServiceCollectionExtensions.AddCore(services);
        return services;
    }

    /// <summary>The credential named <paramref name="credentialName"/> uses the cache that <paramref name="factory"/> builds.</summary>
    /// <param name="services">The services.</param>
    /// <param name="credentialName">The credential; the others keep the cache shared by all.</param>
    /// <param name="factory">Builds the cache; it is disposed with the service provider.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsCache(
        this IServiceCollection services, string credentialName, Func<IServiceProvider, ICredentialCache> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialName);
        ArgumentNullException.ThrowIfNull(factory);
        var key = new CredentialCaches.ServiceKey(credentialName);
        services.RemoveAllKeyed<ICredentialCache>(key);
        services.AddKeyedSingleton(key, (provider, _) => factory(provider));
        AtomicCredentialsServiceCollectionExtensions.AddCore(services);
        return services;
    }

    // Options are validated now, at registration; the store is found when the cache is first needed.
    private static Func<IServiceProvider, ICredentialCache> DistributedFactory(Action<DistributedCredentialCacheOptions>? configure)
    {
        var options = new DistributedCredentialCacheOptions();
        configure?.Invoke(options);
        options = options.Validated();
        return services => new DistributedCredentialCache(
            options.Store?.Invoke(services) ?? services.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                "The distributed credential cache needs an IDistributedCache: register one (e.g. services.AddStackExchangeRedisCache(…)), "
                + "set DistributedCredentialCacheOptions.Store, or use AddAtomicCredentialsRedisCache from the Atomic.Credentials.Redis package."),
            services.GetService<ICredentialProtector>(),
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            options.Lease?.Invoke(services));
    }
}
