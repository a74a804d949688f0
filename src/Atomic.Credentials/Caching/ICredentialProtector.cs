namespace Atomic.Credentials.Caching;

/// <summary>
/// Encrypts what <see cref="DistributedCredentialCache"/> writes to the shared cache, so tokens
/// are not stored in clear. Every instance of the fleet must be able to unprotect what another
/// protected: with ASP.NET Data Protection, share the key ring (e.g. <c>PersistKeysToStackExchangeRedis</c>)
/// and an application name.
/// </summary>
/// <remarks>
/// An adapter over ASP.NET Data Protection is three lines:
/// <code>
/// sealed class DataProtectionCredentialProtector(IDataProtectionProvider provider) : ICredentialProtector
/// {
///     private readonly IDataProtector protector = provider.CreateProtector("Atomic.Credentials.Cache");
///     public byte[] Protect(byte[] plaintext) =&gt; protector.Protect(plaintext);
///     public byte[] Unprotect(byte[] protectedData) =&gt; protector.Unprotect(protectedData);
/// }
/// </code>
/// </remarks>
public interface ICredentialProtector
{
    /// <summary>Encrypts (and authenticates) a cache entry before it leaves the process.</summary>
    /// <param name="plaintext">The serialized entry.</param>
    /// <returns>What is written to the shared cache.</returns>
    byte[] Protect(byte[] plaintext);

    /// <summary>Reverses <see cref="Protect"/>; throws when the data was not protected by this fleet's keys.</summary>
    /// <param name="protectedData">What was read from the shared cache.</param>
    /// <returns>The serialized entry.</returns>
    byte[] Unprotect(byte[] protectedData);
}
