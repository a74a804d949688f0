using Microsoft.AspNetCore.DataProtection;

namespace Atomic.Credentials.Caching;

/// <summary>
/// An <see cref="ICredentialProtector"/> over ASP.NET Core Data Protection (authenticated
/// encryption with keys that rotate): the default of the credential store
/// (<c>AddAtomicCredentialStore</c>), usable for the distributed cache too.
/// </summary>
/// <remarks>
/// What it protects opens only with the same key ring and application name: every process that
/// shares a store (or a cache) must share them, and the keys must outlive the data. Persist them
/// somewhere that lasts and is itself protected, e.g.
/// <code>
/// services.AddDataProtection()
///     .SetApplicationName("my-service")
///     .PersistKeysToFileSystem(new DirectoryInfo("/var/lib/my-service/keys"));
/// </code>
/// Without that, Data Protection keeps keys in the user's profile (or in memory only, where there
/// is none): credentials saved before a restart could then no longer be decrypted, and are refused.
/// </remarks>
public sealed class DataProtectionCredentialProtector : ICredentialProtector
{
    /// <summary>The purpose the credential store protects its secrets under.</summary>
    public const string StorePurpose = "Atomic.Credentials.Store";

    private readonly IDataProtector protector;

    /// <summary>Creates a protector for one purpose: data protected under one purpose never opens under another.</summary>
    /// <param name="provider">Data Protection, e.g. from <c>services.AddDataProtection()</c>.</param>
    /// <param name="purpose">What the data is for; <see cref="StorePurpose"/> for the store.</param>
    public DataProtectionCredentialProtector(IDataProtectionProvider provider, string purpose = StorePurpose)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        protector = provider.CreateProtector(purpose);
    }

    /// <inheritdoc />
    public byte[] Protect(byte[] plaintext) => protector.Protect(plaintext);

    /// <inheritdoc />
    public byte[] Unprotect(byte[] protectedData) => protector.Unprotect(protectedData);
}
