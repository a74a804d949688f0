using System.Text.Json;
using Atomic.Credentials.DependencyInjection;

namespace Atomic.Credentials.Store;

/// <summary>
/// Splits a definition into the fields a saved credential shows (the kind's allow-list,
/// <see cref="CredentialKind.PublicFields"/>) and its secrets (every other field), and joins them again.
/// </summary>
internal static class DefinitionSplit
{
    /// <returns>The public fields as a JSON object; the secret fields as the UTF-8 of a JSON object.</returns>
    public static (string PublicFields, byte[] Secrets) Split(CredentialKind kind, JsonElement definition)
    {
        using var publicFields = new MemoryStream();
        using var secrets = new MemoryStream();
        using (var publicWriter = new Utf8JsonWriter(publicFields))
        using (var secretWriter = new Utf8JsonWriter(secrets))
        {
            publicWriter.WriteStartObject();
            secretWriter.WriteStartObject();
            foreach (var field in definition.EnumerateObject())
            {
                if (field.NameEquals(CredentialDefinition.TypeKey) || field.Name.Equals(CredentialDefinition.TypeKey, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // kept in its own column, as the kind's own spelling
                }

                field.WriteTo(kind.PublicFields.Contains(field.Name) ? publicWriter : secretWriter);
            }

            publicWriter.WriteEndObject();
            secretWriter.WriteEndObject();
        }

        return (System.Text.Encoding.UTF8.GetString(publicFields.GetBuffer(), 0, (int)publicFields.Length), secrets.ToArray());
    }

    /// <summary>The whole definition again: <c>Type</c>, the public fields, the secret fields.</summary>
    public static JsonElement Join(string type, JsonElement publicFields, JsonElement secrets)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(CredentialDefinition.TypeKey, type);
            foreach (var field in publicFields.EnumerateObject().Concat(secrets.EnumerateObject()))
            {
                field.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        return document.RootElement.Clone();
    }
}
