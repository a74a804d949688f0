namespace Atomic.Credentials.DependencyInjection;

/// <summary>One named credential, as registered.</summary>
internal sealed record CredentialRegistration(string Name, CredentialKind Kind);

/// <summary>
/// Resolves configured credentials by name: one runtime <see cref="Internal.Credential"/> a name,
/// built at its first use and shared by every handler of every client that names it. It follows
/// reloads of its options itself, rebuilding its state only when its definition changed.
/// </summary>
internal sealed class CredentialRegistry(IEnumerable<CredentialRegistration> registrations)
{
    private readonly Dictionary<string, CredentialRegistration> byName =
        registrations.GroupBy(registration => registration.Name, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Internal.Credential>> credentials = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => byName.Keys;

    public DelegatingHandler CreateHandler(IServiceProvider services, string name) => new Internal.CredentialHandler(Resolve(services, name));

    /// <summary>The runtime credential named <paramref name="name"/>.</summary>
    public Internal.Credential Resolve(IServiceProvider services, string name)
    {
        if (!byName.TryGetValue(name, out var registration))
        {
            var known = byName.Count == 0 ? "none" : string.Join(", ", byName.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException(
                $"No Atomic credential named '{name}' is registered (registered: {known}). " +
                "Register it with AddAtomicCredentials(section) or AddAtomicCredential(name, configure).");
        }

        // IHttpClientFactory builds handlers from a scope; everything a credential holds is a singleton.
        return credentials.GetOrAdd(name, key => new Lazy<Internal.Credential>(() => registration.Kind.CreateCredential(services, key))).Value;
    }

    /// <summary>The base address credential <paramref name="name"/> gives its clients (an integration's API), if any.</summary>
    public Uri? BaseAddress(IServiceProvider services, string name) =>
        byName.TryGetValue(name, out var registration) ? registration.Kind.BaseAddress(services, name) : null;

    /// <summary>Which headers of a client using credential <paramref name="name"/> must not be logged.</summary>
    public Func<string, bool> SensitiveHeaders(IServiceProvider services, string name) =>
        byName.TryGetValue(name, out var registration) ? registration.Kind.SensitiveHeaders(services, name) : static _ => false;
}
