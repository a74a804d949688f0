namespace Atomic.Credentials.Store;

/// <summary>
/// Keeps saved credentials in this process only (tests, code that saves its credentials at start):
/// nothing survives a restart. Watchers hear of a change as soon as it is written.
/// </summary>
public sealed class InMemoryCredentialStorage : ICredentialStorage
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredCredential> rows = new(StringComparer.Ordinal);
    private readonly StorageWatchers watchers = new();
    private readonly TimeProvider timeProvider;

    /// <summary>Creates an empty storage.</summary>
    /// <param name="timeProvider">The clock of <see cref="StoredCredential.UpdatedAt"/>; the system's when null.</param>
    public InMemoryCredentialStorage(TimeProvider? timeProvider = null) => this.timeProvider = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public Task<StoredCredential?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return Task.FromResult(rows.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc />
    public Task<StoredCredential> WriteAsync(StoredCredential row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        cancellationToken.ThrowIfCancellationRequested();
        StoredCredential stored;
        lock (gate)
        {
            var version = rows.TryGetValue(row.Name, out var previous) ? previous.Version + 1 : 1;
            stored = row with { ProtectedSecrets = [.. row.ProtectedSecrets], Version = version, UpdatedAt = timeProvider.GetUtcNow() };
            rows[row.Name] = stored;
        }

        watchers.Notify(row.Name);
        return Task.FromResult(stored);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        bool deleted;
        lock (gate)
        {
            deleted = rows.Remove(name);
        }

        if (deleted)
        {
            watchers.Notify(name);
        }

        return Task.FromResult(deleted);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredCredential>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<StoredCredential> found = [.. rows.Values
                .Where(row => prefix is null || row.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(row => row.Name, StringComparer.Ordinal)];
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public IDisposable Watch(Action<string?> changed) => watchers.Add(changed);
}
