namespace Atomic.Credentials.DependencyInjection;

/// <summary>One named credential, as registered.</summary>
internal sealed record CredentialRegistration(string Name, CredentialKind Kind);

/// <summary>Finds a registered credential by name and builds its handler.</summary>
internal sealed class CredentialRegistry(IEnumerable<CredentialRegistration> registrations)
{
    private readonly Dictionary<string, CredentialRegistration> byName =
        registrations.GroupBy(registration => registration.Name, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);

    public DelegatingHandler CreateHandler(IServiceProvider services, string name)
    {
        if (!byName.TryGetValue(name, out var registration))
        {
            var known = byName.Count == 0 ? "none" : string.Join(", ", byName.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException(
                $"No Atomic credential named '{name}' is registered (registered: {known}). " +
                "Register it with AddAtomicCredentials(section) or AddAtomicCredential(name, configure).");
        }

        return registration.Kind.CreateHandler(services, name);
    }

    /// <summary>The base address credential <paramref name="name"/> gives its clients (an integration's API), if any.</summary>
    public Uri? BaseAddress(IServiceProvider services, string name) =>
        byName.TryGetValue(name, out var registration) ? registration.Kind.BaseAddress(services, name) : null;

    /// <summary>Which headers of a client using credential <paramref name="name"/> must not be logged.</summary>
    public Func<string, bool> SensitiveHeaders(IServiceProvider services, string name) =>
        byName.TryGetValue(name, out var registration) ? registration.Kind.SensitiveHeaders(services, name) : static _ => false;
}
