using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.Store;

/// <summary>Imports a configuration section of credentials into a store in one call.</summary>
public static class CredentialStoreImport
{
    /// <summary>
    /// Saves every child of <paramref name="section"/> (the shape of <c>AddAtomicCredentials</c>'
    /// section: each child a named credential with its <c>Type</c>) under its key. All are validated
    /// first: when one is refused, a <see cref="CredentialException"/> names each refused credential
    /// and field, and nothing is saved.
    /// </summary>
    /// <param name="store">The store; the one <c>AddAtomicCredentialStore</c> registers.</param>
    /// <param name="section">The section, e.g. <c>configuration.GetSection("AtomicCredentials")</c>.</param>
    /// <param name="cancellationToken">Cancels the import (saves already done stay).</param>
    /// <returns>What was saved, without its secrets.</returns>
    public static Task<IReadOnlyList<SavedCredentialInfo>> ImportAsync(
        this ICredentialStore store, IConfiguration section, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(section);
        if (store is not CredentialStore credentialStore)
        {
            throw new ArgumentException("ImportAsync validates every definition before it saves one, which needs the library's CredentialStore.", nameof(store));
        }

        var definitions = section.GetChildren().Select(child => (child.Key, ToJson(child))).ToList();
        return credentialStore.SaveAllAsync(definitions, cancellationToken);
    }

    /// <summary>
    /// A configuration section as the JSON it was read from, as far as configuration keeps it: values
    /// are strings (the binder converts them as it does at start-up), and children keyed 0…n-1 an array.
    /// </summary>
    internal static JsonElement ToJson(IConfigurationSection section)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, section);
        }

        using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            writer.WriteStringValue(section.Value);
            return;
        }

        var isArray = children.Select((child, index) => child.Key == index.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(matches => matches);
        if (isArray)
        {
            writer.WriteStartArray();
            foreach (var child in children)
            {
                Write(writer, child);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            Write(writer, child);
        }

        writer.WriteEndObject();
    }
}
