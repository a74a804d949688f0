using System.Text.Json;

namespace Atomic.Credentials.Store;

/// <summary>
/// Credentials saved at run time, as a user of the Atomic platform saves them on its Credentials
/// page: a name (free-form, <c>tenant/credential</c> by convention) and a definition with exactly
/// the shape of one configuration entry (<c>Type</c> plus its fields). Secrets are encrypted at
/// rest and never returned: what the store hands back describes a credential without its secrets.
/// </summary>
public interface ICredentialStore
{
    /// <summary>
    /// Validates <paramref name="definition"/> with the rules of start-up configuration and saves it
    /// under <paramref name="name"/>, replacing any earlier definition. A rejected definition throws
    /// a <see cref="CredentialException"/> naming the credential and the field (never a value) and
    /// changes nothing.
    /// </summary>
    /// <param name="name">The credential's name, e.g. <c>acme/crm</c>.</param>
    /// <param name="definition">A JSON object: <c>Type</c> and the kind's fields.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>What was saved, without its secrets.</returns>
    Task<SavedCredentialInfo> SaveAsync(string name, JsonElement definition, CancellationToken cancellationToken = default);

    /// <summary>The saved credential named <paramref name="name"/>, without its secrets; null when there is none.</summary>
    /// <param name="name">The credential's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The credential's description, or null.</returns>
    Task<SavedCredentialInfo?> GetInfoAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes the credential; its next request is refused before it is sent.</summary>
    /// <param name="name">The credential's name.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>True when a credential was deleted.</returns>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The saved credentials whose names start with <paramref name="prefix"/> (all when null), ordered by name.</summary>
    /// <param name="prefix">A name prefix such as <c>acme/</c>, or null.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Descriptions without secrets.</returns>
    Task<IReadOnlyList<SavedCredentialInfo>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default);
}
