using Atomic.Credentials.Caching;
using Atomic.Credentials.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Shares Atomic credentials' tokens and JWTs through Redis. The Redis connection is the
/// credentials' own: the app's <see cref="IDistributedCache"/>, if any, is left as it is. On the same
/// connection, a lease elects the one instance that asks the identity provider when the fleet
/// misses an entry (<see cref="DistributedCredentialCacheOptions.LeaseDuration"/>).
/// </summary>
public static class AtomicCredentialsRedisServiceCollectionExtensions
{
    /// <summary>Every credential shares its material through the Redis at <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>"redis:6379,password=…,ssl=true"</c>.</param>
    /// <param name="configure">Timeout and retry policy of the credential cache.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsRedisCache(
        this IServiceCollection services, string configuration, Action<DistributedCredentialCacheOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return services.AddAtomicCredentialsRedisCache(redis => redis.Configuration = configuration, configure);
    }

    /// <summary>Every credential shares its material through the Redis that <paramref name="redis"/> describes.</summary>
    /// <param name="services">The services.</param>
    /// <param name="redis">The Redis connection (configuration, instance name, …).</param>
    /// <param name="configure">Timeout and retry policy of the credential cache.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsRedisCache(
        this IServiceCollection services, Action<RedisCacheOptions> redis, Action<DistributedCredentialCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var key = AddRedisStore(services, new StoreKey(null), redis);
        return services.AddAtomicCredentialsDistributedCache(Using(key, configure));
    }

    /// <summary>The credential named <paramref name="credentialName"/> shares its material through Redis; the others are unchanged.</summary>
    /// <param name="services">The services.</param>
    /// <param name="credentialName">The credential.</param>
    /// <param name="redis">The Redis connection (configuration, instance name, …).</param>
    /// <param name="configure">Timeout and retry policy of the credential cache.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentialsRedisCache(
        this IServiceCollection services, string credentialName, Action<RedisCacheOptions> redis, Action<DistributedCredentialCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialName);
        var key = AddRedisStore(services, new StoreKey(credentialName), redis);
        return services.AddAtomicCredentialsDistributedCache(credentialName, Using(key, configure));
    }

    private static StoreKey AddRedisStore(IServiceCollection services, StoreKey key, Action<RedisCacheOptions> redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var options = new RedisCacheOptions();
        redis(options);
        if (options.ConfigurationOptions is null && options.Configuration is null && options.ConnectionMultiplexerFactory is null)
        {
            throw new ArgumentException("The Redis connection is not set: give a configuration string such as \"localhost:6379\".", nameof(redis));
        }

        Tune(options);
        var connection = new SharedRedisConnection(options.ConnectionMultiplexerFactory
            ?? (async () => await ConnectionMultiplexer.ConnectAsync(options.ConfigurationOptions ?? ConfigurationOptions.Parse(options.Configuration!)).ConfigureAwait(false)));
        options.ConnectionMultiplexerFactory = connection.GetAsync;
        services.AddKeyedSingleton<IDistributedCache>(key, (_, _) => new RedisCache(Options.Options.Create(options)));
        services.AddKeyedSingleton<ICredentialLease>(key, (_, _) => new RedisCredentialLease(connection, options.InstanceName));
        return key;
    }

    private static Action<DistributedCredentialCacheOptions> Using(StoreKey key, Action<DistributedCredentialCacheOptions>? configure) =>
        options =>
        {
            configure?.Invoke(options);
            options.Store = provider => provider.GetRequiredKeyedService<IDistributedCache>(key);
            options.Lease = provider => provider.GetRequiredKeyedService<ICredentialLease>(key);
        };

    // From a configuration string, tuned for a cache that is optional: a Redis down at start-up is
    // retried in the background instead of failing for good, and while it is disconnected calls fail
    // at once instead of queueing, so the credential cache's breaker opens without waiting.
    // ConfigurationOptions given by the user are theirs and left untouched.
    private static void Tune(RedisCacheOptions options)
    {
        if (options.ConfigurationOptions is not null || options.Configuration is null)
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConfigurationOptions = configuration;
        options.Configuration = null;
    }

    /// <summary>The DI key of the credentials' own Redis store (one for all, or one per credential).</summary>
    private sealed record StoreKey(string? CredentialName);
}
