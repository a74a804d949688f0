using System.Text.Json;
using Atomic.Credentials.DependencyInjection;

namespace Atomic.Credentials.Store;

/// <summary>
/// A saved credential as the per-request handler needs it: decrypted, bound and validated. Holds
/// secrets, so it stays inside the library and its <see cref="ToString"/> names it only.
/// </summary>
internal sealed class ResolvedDefinition(string name, CredentialKind kind, long version, JsonElement definition, CredentialOptions options)
{
    public string Name { get; } = name;

    public CredentialKind Kind { get; } = kind;

    /// <summary>The row's version: a new one means a new definition.</summary>
    public long Version { get; } = version;

    /// <summary>The whole definition (<c>Type</c>, public and secret fields), as saved.</summary>
    public JsonElement Definition { get; } = definition;

    /// <summary>The definition bound to the kind's options and validated.</summary>
    public CredentialOptions Options { get; } = options;

    public override string ToString() => $"Credential '{Name}' ({Kind.Type}) version {Version}";
}
