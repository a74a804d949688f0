namespace Atomic.Credentials.Store;

/// <summary>One row of <see cref="ICredentialStorage"/>: the secrets only encrypted.</summary>
/// <param name="Name">The credential's name.</param>
/// <param name="Type">Its kind.</param>
/// <param name="PublicFields">The non-secret fields, a JSON object.</param>
/// <param name="ProtectedSecrets">The secret fields, encrypted by the store's <see cref="Caching.ICredentialProtector"/>.</param>
/// <param name="Version">One above the version it replaced; 1 for a new name.</param>
/// <param name="UpdatedAt">When it was written.</param>
public sealed record StoredCredential(string Name, string Type, string PublicFields, byte[] ProtectedSecrets, long Version, DateTimeOffset UpdatedAt);
