using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Atomic.Credentials.Diagnostics;

/// <summary>
/// Reads what each configured credential knows of its material: for OAuth, the token it holds and its
/// token endpoint's gate (pause, last failure); other kinds make their material themselves and are
/// ready. It sends nothing unless told to obtain tokens, and its data names no secret: a credential's
/// name, kind, state and instants, the identity provider's status and OAuth error code.
/// Over every credential (one entry for all), or over the one it is <paramref name="only"/> (an entry a credential).
/// </summary>
internal sealed class CredentialsHealthCheck(IServiceProvider services, CredentialRegistry registry, TimeProvider timeProvider, bool obtainTokens, string? only = null) : IHealthCheck
{
    public static CredentialsHealthCheck Create(IServiceProvider services, bool obtainTokens, string? only = null) =>
        new(services, services.GetRequiredService<CredentialRegistry>(), services.GetService<TimeProvider>() ?? TimeProvider.System, obtainTokens, only);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (only is not null)
        {
            var (status, one) = await CheckAsync(only, cancellationToken).ConfigureAwait(false);
            var error = one.TryGetValue("lastError", out var last) ? $": {last}" : string.Empty;
            return new HealthCheckResult(status, $"{one["state"]}{error}", data: one);
        }

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var worst = HealthStatus.Healthy;
        foreach (var name in registry.Names.Order(StringComparer.Ordinal))
        {
            var report = await CheckAsync(name, cancellationToken).ConfigureAwait(false);
            data[name] = report.Data;
            worst = report.Status < worst ? report.Status : worst;
        }

        var failing = data.Where(entry => ((IReadOnlyDictionary<string, object>)entry.Value)["status"] is not nameof(HealthStatus.Healthy)).Select(entry => entry.Key).ToList();
        var description = failing.Count == 0
            ? $"{data.Count} credential(s) ready."
            : $"Credential(s) not healthy: {string.Join(", ", failing)}.";
        return new HealthCheckResult(worst, description, data: data);
    }

    private async Task<(HealthStatus Status, IReadOnlyDictionary<string, object> Data)> CheckAsync(string name, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["credential"] = name };
        Internal.Credential credential;
        try
        {
            credential = registry.Resolve(services, name);
        }
        catch (Exception exception) when (exception is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or CredentialException)
        {
            // Validation messages name the field, never its value.
            return Done(data, HealthStatus.Unhealthy, "invalid", exception.Message);
        }

        data["kind"] = credential.Kind;
        if (credential is not OAuthClientCredentialsHandler.Pipeline oauth)
        {
            return Done(data, HealthStatus.Healthy, "ready", null);
        }

        var state = oauth.Current;
        var gate = state.Gate;
        var now = timeProvider.GetUtcNow();
        var expiresAt = Latest(state.Remembered.Entry?.ExpiresAt, gate.ObtainedUntil);
        var valid = expiresAt > now;
        if (valid)
        {
            data["expiresAt"] = expiresAt!.Value;
        }

        if (gate.LastStatus is { } status)
        {
            data["lastStatus"] = (int)status;
        }

        if (await gate.PausedUntilAsync().ConfigureAwait(false) is { } pausedUntil)
        {
            data["nextAttemptAt"] = pausedUntil;
            return Done(data, valid ? HealthStatus.Degraded : HealthStatus.Unhealthy, "paused", gate.LastFailure);
        }

        if (gate.LastFailure is { } failure)
        {
            return Done(data, valid ? HealthStatus.Degraded : HealthStatus.Unhealthy, valid ? "refresh failing" : "failing", failure);
        }

        if (valid)
        {
            return Done(data, HealthStatus.Healthy, "fresh", null);
        }

        if (!obtainTokens)
        {
            return Done(data, HealthStatus.Healthy, "not requested yet", null);
        }

        try
        {
            var entry = await state.Remembered.GetAsync(state.Cache, state.CacheKey, state.Fetch, cancellationToken).ConfigureAwait(false);
            data["expiresAt"] = entry.ExpiresAt;
            return Done(data, HealthStatus.Healthy, "fresh", null);
        }
        catch (CredentialException exception)
        {
            if (exception.NextAttemptAt is { } next)
            {
                data["nextAttemptAt"] = next;
            }

            return Done(data, HealthStatus.Unhealthy, "failing", gate.LastFailure ?? exception.Error);
        }
    }

    private static (HealthStatus, IReadOnlyDictionary<string, object>) Done(Dictionary<string, object> data, HealthStatus status, string state, string? error)
    {
        data["status"] = status.ToString();
        data["state"] = state;
        if (error is not null)
        {
            data["lastError"] = error;
        }

        return (status, data);
    }

    private static DateTimeOffset? Latest(DateTimeOffset? left, DateTimeOffset? right) => left > right || right is null ? left : right;
}
