using Atomic.Credentials;
using Atomic.Credentials.Caching;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Atomic credentials, from configuration or in code.</summary>
public static class AtomicCredentialsServiceCollectionExtensions
{
    /// <summary>
    /// Registers every credential in <paramref name="section"/>: each child is a named credential
    /// whose <c>Type</c> picks the kind. Options reload with the configuration and are validated at
    /// start-up; an unknown <c>Type</c> or an unknown field fails here, naming credential and field.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="section">The section, e.g. <c>configuration.GetSection("AtomicCredentials")</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredentials(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        AddCore(services);

        var problems = new List<string>();
        var found = new List<(IConfigurationSection Section, CredentialKind Kind)>();
        foreach (var child in section.GetChildren())
        {
            var kind = CredentialDefinition.FindKind(child, out var typeProblem);
            if (kind is null)
            {
                problems.Add($"Credential '{child.Key}': {typeProblem}");
                continue;
            }

            problems.AddRange(CredentialDefinition.UnknownFields(kind, child).Select(problem => $"Credential '{child.Key}' ({kind.Type}): {problem}"));
            found.Add((child, kind));
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The Atomic credentials in '{(section as IConfigurationSection)?.Path ?? "configuration"}' are invalid:{Environment.NewLine}"
                + string.Join(Environment.NewLine, problems));
        }

        foreach (var (child, kind) in found)
        {
            Register(services, child.Key, kind);
            kind.Bind(services, child.Key, child);
        }

        return services;
    }

    /// <summary>
    /// Registers one credential in code; the options type picks the kind, e.g.
    /// <c>services.AddAtomicCredential("legacy", (BasicAuthOptions o) =&gt; { … })</c>.
    /// </summary>
    /// <typeparam name="TOptions">One of the package's options classes.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="name">The credential's name, used by <c>AddAtomicCredentialHandler</c>.</param>
    /// <param name="configure">Sets the options; runs after configuration binding, if any.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAtomicCredential<TOptions>(
        this IServiceCollection services, string name, Action<TOptions> configure)
        where TOptions : CredentialOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var kind = CredentialKinds.FindByOptions(typeof(TOptions))
            ?? throw new ArgumentException($"{typeof(TOptions).Name} is not a credential kind's options (one of {CredentialKinds.TypeNames}).", nameof(configure));
        AddCore(services);
        Register(services, name, kind);
        services.AddOptions<TOptions>(name).Configure(configure);
        return services;
    }

    internal static void AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICredentialCache, MemoryCredentialCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<
            Microsoft.Extensions.Options.IPostConfigureOptions<Microsoft.Extensions.Http.HttpClientFactoryOptions>, Atomic.Credentials.OAuth.TokenClientLogRedaction>());
        services.TryAddSingleton<CredentialRegistry>();
    }

    private static void Register(IServiceCollection services, string name, CredentialKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var existing = services
            .Select(descriptor => descriptor.IsKeyedService ? null : descriptor.ImplementationInstance as CredentialRegistration)
            .FirstOrDefault(registration => registration?.Name == name);
        if (existing is not null)
        {
            if (existing.Kind != kind)
            {
                throw new ArgumentException(
                    $"Credential '{name}' is already registered as {existing.Kind.Type}; it cannot also be {kind.Type}.", nameof(name));
            }

            return;
        }

        kind.Register(services, name);
        services.AddSingleton(new CredentialRegistration(name, kind));
    }
}
