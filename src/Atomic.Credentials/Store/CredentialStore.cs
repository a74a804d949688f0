using System.Security.Cryptography;
using System.Text.Json;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Store;

/// <summary>
/// The credential store: validates a definition as start-up configuration is validated, keeps its
/// public fields in clear and its secrets encrypted by an <see cref="ICredentialProtector"/>, in an
/// <see cref="ICredentialStorage"/> (in memory, a SQLite file, PostgreSQL). Registered by
/// <c>services.AddAtomicCredentialStore(…)</c>; usable without DI too.
/// </summary>
public sealed class CredentialStore : ICredentialStore
{
    internal const string UnknownKind = "unknown";

    private readonly ICredentialStorage storage;
    private readonly ICredentialProtector protector;
    private readonly ILogger logger;

    /// <summary>Creates a store over a storage and a protector.</summary>
    /// <param name="storage">Where rows are kept.</param>
    /// <param name="protector">Encrypts the secret fields; every process sharing the storage must share its keys.</param>
    /// <param name="loggerFactory">Where saves, deletes and refusals are logged (names only).</param>
    public CredentialStore(ICredentialStorage storage, ICredentialProtector protector, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(protector);
        this.storage = storage;
        this.protector = protector;
        logger = CredentialLoggers.Create<CredentialStore>(loggerFactory);
    }

    /// <inheritdoc />
    public async Task<SavedCredentialInfo> SaveAsync(string name, JsonElement definition, CancellationToken cancellationToken = default)
    {
        var row = Prepare(name, definition);
        var saved = await storage.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        Log.CredentialSaved(logger, saved.Name, saved.Type, saved.Version);
        return Describe(saved);
    }

    /// <inheritdoc />
    public async Task<SavedCredentialInfo?> GetInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var row = await storage.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        return row is null ? null : Describe(row);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var deleted = await storage.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            Log.CredentialDeleted(logger, name);
        }

        return deleted;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SavedCredentialInfo>> ListAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        var rows = await storage.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Describe)];
    }

    /// <summary>
    /// Validates every definition, then saves them all: one invalid definition throws before
    /// anything is saved. Used by <see cref="CredentialStoreImport.ImportAsync"/>.
    /// </summary>
    internal async Task<IReadOnlyList<SavedCredentialInfo>> SaveAllAsync(
        IReadOnlyList<(string Name, JsonElement Definition)> definitions, CancellationToken cancellationToken)
    {
        var rows = new List<StoredCredential>(definitions.Count);
        var problems = new List<CredentialException>();
        foreach (var (name, definition) in definitions)
        {
            try
            {
                rows.Add(Prepare(name, definition));
            }
            catch (CredentialException exception)
            {
                problems.Add(exception);
            }
        }

        if (problems.Count > 0)
        {
            throw problems.Count == 1 ? problems[0] : new CredentialException(
                problems[0].CredentialName,
                problems[0].Kind,
                $"nothing was imported: {problems.Count} definitions were refused.{Environment.NewLine}"
                + string.Join(Environment.NewLine, problems.Select(problem => problem.Message)));
        }

        var saved = new List<SavedCredentialInfo>(rows.Count);
        foreach (var row in rows)
        {
            var stored = await storage.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            Log.CredentialSaved(logger, stored.Name, stored.Type, stored.Version);
            saved.Add(Describe(stored));
        }

        return saved;
    }

    /// <summary>
    /// The saved credential named <paramref name="name"/>, decrypted, bound and validated, for the
    /// handler that applies it; null when there is none. A row that does not decrypt as its own or no
    /// longer validates throws a <see cref="CredentialException"/>: it is never applied.
    /// </summary>
    internal async ValueTask<ResolvedDefinition?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var row = await storage.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        try
        {
            var secrets = SecretEnvelope.Open(protector, row);
            using var publicFields = JsonDocument.Parse(row.PublicFields);
            var definition = DefinitionSplit.Join(row.Type, publicFields.RootElement, secrets);
            var (kind, options) = DefinitionBinder.Bind(row.Name, definition);
            return new ResolvedDefinition(row.Name, kind, row.Version, definition, options);
        }
        catch (JsonException)
        {
            // The public fields are no JSON object: altered outside the store. Not chained (it quotes text).
            Log.SavedCredentialRefused(logger, row.Name, row.Type, "its public fields are not a JSON object");
            throw new CredentialException(row.Name, row.Type, SecretEnvelope.Unreadable);
        }
        catch (CredentialException exception)
        {
            Log.SavedCredentialRefused(logger, row.Name, row.Type, exception.Message);
            throw;
        }
    }

    /// <summary>
    /// The API address a preset saved under <paramref name="name"/> gives a client (Marketo's REST
    /// address, Salesforce Marketing Cloud's tenant REST address, an S3 bucket's), for requests
    /// through the no-name handler, whose client has no address of its own:
    /// <c>new Uri(address, "v1/leads.json")</c>. Null for a kind without one.
    /// </summary>
    /// <param name="name">The saved credential's name.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <returns>The address, ending in '/'; or null.</returns>
    /// <exception cref="CredentialException">No credential is saved under the name, or it cannot be read.</exception>
    public async Task<Uri?> GetBaseAddressAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var resolved = await ResolveAsync(name, cancellationToken).ConfigureAwait(false) ?? throw NotSaved(name);
        return resolved.Kind.AddressOf(resolved.Options);
    }

    /// <summary>
    /// The bound options of the saved credential <paramref name="name"/>, for a library piece that
    /// uses them without sending (a public key, a presigned URL); never handed to a caller.
    /// </summary>
    internal async ValueTask<CredentialOptions> ReadOptionsAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var resolved = await ResolveAsync(name, cancellationToken).ConfigureAwait(false) ?? throw NotSaved(name);
        return resolved.Options;
    }

    /// <summary>
    /// Calls <paramref name="changed"/> after a saved credential changes (its name, or null for
    /// "anything"), so the handler can drop what it built from the old definition.
    /// </summary>
    internal IDisposable Watch(Action<string?> changed) => storage.Watch(changed);

    private static CredentialException NotSaved(string name) =>
        new(name, UnknownKind, $"No saved credential is named '{name}'.");

    private StoredCredential Prepare(string name, JsonElement definition)
    {
        CredentialName.Validate(name);
        var (kind, _) = DefinitionBinder.Bind(name, definition);
        var (publicFields, secrets) = DefinitionSplit.Split(kind, definition);
        try
        {
            var sealedSecrets = SecretEnvelope.Seal(protector, name, kind.Type, publicFields, secrets);
            return new StoredCredential(name, kind.Type, publicFields, sealedSecrets, 0, default);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
        }
    }

    private static SavedCredentialInfo Describe(StoredCredential row)
    {
        JsonElement fields;
        try
        {
            using var document = JsonDocument.Parse(row.PublicFields);
            fields = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CredentialException(row.Name, row.Type, "the stored row's public fields are not a JSON object: it was altered outside the store.");
        }

        return new SavedCredentialInfo(row.Name, row.Type, fields, row.Version, row.UpdatedAt);
    }
}
