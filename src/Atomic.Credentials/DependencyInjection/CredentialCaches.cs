using Atomic.Credentials.Caching;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.DependencyInjection;

/// <summary>
/// Which <see cref="ICredentialCache"/> a named credential uses: its own, when one was registered
/// for it (<c>AddAtomicCredentialsCache(name, …)</c>), else the one shared by all credentials.
/// Kinds that cache material resolve their cache here.
/// </summary>
internal static class CredentialCaches
{
    public static ICredentialCache For(IServiceProvider services, string credentialName) =>
        services.GetKeyedService<ICredentialCache>(new ServiceKey(credentialName))
        ?? services.GetRequiredService<ICredentialCache>();

    /// <summary>The DI key of a credential's own cache; a type of ours, so it never meets a user's key.</summary>
    internal sealed record ServiceKey(string CredentialName);
}
