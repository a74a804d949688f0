using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Reports the health of every configured credential through <c>services.AddHealthChecks()</c>.</summary>
public static class AtomicCredentialsHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds one health check over every credential registered with <c>AddAtomicCredentials</c> or
    /// <c>AddAtomicCredential</c>: <see cref="HealthStatus.Healthy"/> when each has (or makes) its
    /// material, <see cref="HealthStatus.Degraded"/> while an identity provider's pause (<c>Retry-After</c>,
    /// backoff) or failing refreshes leave a still valid token in use, <see cref="HealthStatus.Unhealthy"/>
    /// when a credential cannot obtain material. Its data has one entry a credential (kind, state, expiry,
    /// next attempt, last failure); never a secret.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="obtainTokens">
    /// Whether the check may request a token for an OAuth credential that holds none (one request, shared
    /// with the callers as any cache miss is; never during a pause). By default the check only reads state.
    /// </param>
    /// <param name="tags">Tags to filter the check by.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAtomicCredentialsCheck(
        this IHealthChecksBuilder builder, string name = "atomic-credentials", bool obtainTokens = false, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name, services => CredentialsHealthCheck.Create(services, obtainTokens), failureStatus: null, tags));
    }

    /// <summary>
    /// Adds one health check a credential registered with <c>AddAtomicCredentials</c> or
    /// <c>AddAtomicCredential</c>, each named after its credential (its <paramref name="namePrefix"/> first),
    /// so a health report has one entry a credential: <see cref="HealthStatus.Healthy"/> (material held and
    /// fresh, or made on demand), <see cref="HealthStatus.Degraded"/> (refresh failing or paused by
    /// <c>Retry-After</c> while a token is still valid), <see cref="HealthStatus.Unhealthy"/> (no material
    /// can be obtained: the last error). Each entry's data: kind, state, expiry, next attempt; never a secret.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="obtainTokens">
    /// Whether a check may request a token for an OAuth credential that holds none (one request, shared
    /// with the callers as any cache miss is; never during a pause). By default the checks only read state.
    /// </param>
    /// <param name="tags">Tags to filter the checks by.</param>
    /// <param name="namePrefix">Put before each credential's name to name its entry, e.g. <c>"credential:"</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAtomicCredentials(
        this IHealthChecksBuilder builder, bool obtainTokens = false, IEnumerable<string>? tags = null, string namePrefix = "")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(namePrefix);
        var tagList = tags?.ToArray();
        builder.Services.AddOptions<HealthCheckServiceOptions>().Configure<CredentialRegistry>((options, registry) =>
        {
            foreach (var credential in registry.Names.Order(StringComparer.Ordinal))
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    namePrefix + credential, services => CredentialsHealthCheck.Create(services, obtainTokens, credential), failureStatus: null, tagList));
            }
        });
        return builder;
    }
}
