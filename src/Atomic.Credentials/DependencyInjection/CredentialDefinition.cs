using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.DependencyInjection;

/// <summary>
/// The checks one credential's definition passes before it is bound, at start-up and in the store
/// alike: a known <c>Type</c>, and no field the kind does not have. Problems name fields, never values.
/// </summary>
internal static class CredentialDefinition
{
    public const string TypeKey = "Type";

    /// <summary>The kind <paramref name="definition"/>'s <c>Type</c> picks, or null with the problem.</summary>
    public static CredentialKind? FindKind(IConfiguration definition, out string? problem)
    {
        var type = definition[TypeKey];
        var kind = CredentialKinds.FindByType(type);
        problem = kind is not null ? null
            : string.IsNullOrEmpty(type) ? $"Type is required (one of {CredentialKinds.TypeNames})."
            // Not repeated: whatever sits in Type by mistake (a pasted secret, another field's value) stays out of the message.
            : $"Type is not a credential kind (one of {CredentialKinds.TypeNames}).";
        return kind;
    }

    /// <summary>One problem for each field of <paramref name="definition"/> that <paramref name="kind"/> does not have.</summary>
    public static IEnumerable<string> UnknownFields(CredentialKind kind, IConfiguration definition) =>
        definition.GetChildren()
            .Where(field => !field.Key.Equals(TypeKey, StringComparison.OrdinalIgnoreCase)
                && !kind.Fields.Contains(field.Key, StringComparer.OrdinalIgnoreCase))
            .Select(field => $"{field.Key} is not a field of this kind (fields: {string.Join(", ", kind.Fields)}).");
}
