using Atomic.Credentials.Caching;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Store;

/// <summary>
/// Where <c>AddAtomicCredentialStore</c> keeps saved credentials and how it encrypts their secrets.
/// Without a choice: a SQLite file (<see cref="DefaultSqlitePath"/>) and ASP.NET Core Data Protection.
/// </summary>
public sealed class CredentialStoreOptions
{
    /// <summary>The SQLite file used when no storage is chosen: <c>atomic-credentials.db</c> in the app's local data folder.</summary>
    public static string DefaultSqlitePath { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "Atomic.Credentials",
        "atomic-credentials.db");

    /// <summary>How many saved credentials a process keeps built by default (see <see cref="MaxResolvedCredentials"/>).</summary>
    public const int DefaultMaxResolvedCredentials = 1000;

    /// <summary>
    /// How many saved credentials a process keeps built (their guard, signer, remembered token),
    /// least recently used out; a credential dropped is built again from the store at its next
    /// request, and its cached token is still found in the <see cref="Caching.ICredentialCache"/>.
    /// </summary>
    public int MaxResolvedCredentials { get; set; } = DefaultMaxResolvedCredentials;

    internal Func<IServiceProvider, ICredentialStorage>? Storage { get; private set; }

    internal Func<IServiceProvider, ICredentialProtector>? Protector { get; private set; }

    /// <summary>Keeps credentials in a SQLite file, created on first use (its folder must exist).</summary>
    /// <param name="path">The file, e.g. <c>data/credentials.db</c>.</param>
    /// <returns>These options.</returns>
    public CredentialStoreOptions UseSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return UseStorage(services => new SqliteCredentialStorage(
            path, services.GetService(typeof(TimeProvider)) as TimeProvider, services.GetService(typeof(ILoggerFactory)) as ILoggerFactory));
    }

    /// <summary>Keeps credentials in this process only: nothing survives a restart.</summary>
    /// <returns>These options.</returns>
    public CredentialStoreOptions UseInMemory() =>
        UseStorage(services => new InMemoryCredentialStorage(services.GetService(typeof(TimeProvider)) as TimeProvider));

    /// <summary>Keeps credentials in a storage of your own or of a companion package (e.g. Atomic.Credentials.PostgreSql).</summary>
    /// <param name="storage">Builds the storage once; disposed with the service provider when disposable.</param>
    /// <returns>These options.</returns>
    public CredentialStoreOptions UseStorage(Func<IServiceProvider, ICredentialStorage> storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Storage = storage;
        return this;
    }

    /// <summary>Encrypts secrets with a protector of your own instead of ASP.NET Core Data Protection.</summary>
    /// <param name="protector">Builds the protector once.</param>
    /// <returns>These options.</returns>
    public CredentialStoreOptions UseProtector(Func<IServiceProvider, ICredentialProtector> protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        Protector = protector;
        return this;
    }
}
