namespace Atomic.Credentials.Store;

/// <summary>
/// Where a credential store keeps its rows: in memory, a SQLite file, PostgreSQL, or the user's own.
/// It sees secrets only encrypted (<see cref="StoredCredential.ProtectedSecrets"/>): validation,
/// encryption and decryption happen above it, in the store.
/// </summary>
public interface ICredentialStorage
{
    /// <summary>The row named <paramref name="name"/>, or null.</summary>
    /// <param name="name">The credential's name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or null.</returns>
    Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces the row named <paramref name="row"/>'s name in one transaction, with a
    /// version one above the one it replaces (1 for a new name), and announces the change.
    /// <see cref="StoredCredential.Version"/> and <see cref="StoredCredential.UpdatedAt"/> of
    /// <paramref name="row"/> are ignored.
    /// </summary>
    /// <param name="row">The row to write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The row as stored, with its version and time.</returns>
    Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default);

    /// <summary>Deletes the row and announces the change.</summary>
    /// <param name="name">The credential's name.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>True when a row was deleted.</returns>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The rows whose names start with <paramref name="prefix"/> (all when null), ordered by name (ordinal).</summary>
    /// <param name="prefix">A name prefix, or null.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The rows.</returns>
    Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="changed"/> after a row changes, in this process or, where the storage
    /// is shared, in another: with the row's name, or with null when anything may have changed (a
    /// notification was missed). Disposing the result stops the calls.
    /// </summary>
    /// <param name="changed">Called with the changed name, or null for "anything".</param>
    /// <returns>Stops the calls when disposed.</returns>
    IDisposable Watch(Action<string?> changed);
}
