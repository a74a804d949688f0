using System.Text.Json;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.Store;

/// <summary>
/// Turns a saved definition (the JSON object of one configuration entry) into its kind and a bound,
/// validated options instance, exactly as start-up configuration is: the same <c>Type</c> and
/// unknown-field checks, the kind's own binding, the kind's validator. A definition that does not
/// pass throws a <see cref="CredentialException"/> naming the credential and the fields, never a value.
/// </summary>
internal static class DefinitionBinder
{
    // The definition is read under a fixed key: a credential's name may hold ':', configuration's separator.
    private const string SectionKey = "Credential";

    public static (CredentialKind Kind, CredentialOptions Options) Bind(string name, JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object)
        {
            throw Refused(name, CredentialStore.UnknownKind, "the definition must be a JSON object: Type and the kind's fields.");
        }

        var section = ToConfiguration(name, definition);
        var kind = CredentialDefinition.FindKind(section, out var typeProblem)
            ?? throw Refused(name, CredentialStore.UnknownKind, typeProblem!);
        var problems = CredentialDefinition.UnknownFields(kind, section).ToList();
        if (problems.Count > 0)
        {
            throw Refused(name, kind.Type, string.Join(" ", problems));
        }

        var options = BindInstance(name, kind, section);
        var result = kind.Validate(name, options);
        if (result.Failed)
        {
            throw Refused(name, kind.Type, WithoutPrefix(name, kind, result.Failures));
        }

        return (kind, options);
    }

    private static IConfigurationSection ToConfiguration(string name, JsonElement definition)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(SectionKey);
            definition.WriteTo(writer);
            writer.WriteEndObject();
        }

        buffer.Position = 0;
        try
        {
            return new ConfigurationBuilder().AddJsonStream(buffer).Build().GetSection(SectionKey);
        }
        catch (FormatException)
        {
            // The JSON provider's message names the duplicate key; ours says the rule.
            throw Refused(name, CredentialStore.UnknownKind, "the definition has a field twice (field names are case-insensitive).");
        }
    }

    // The shared binding names the field and the type it expects, never the value.
    private static CredentialOptions BindInstance(string name, CredentialKind kind, IConfigurationSection section)
    {
        try
        {
            return kind.BindNew(section, name);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException exception)
        {
            throw Refused(name, kind.Type, WithoutPrefix(name, kind, exception.Failures));
        }
    }

    // The lines start with "Credential 'name' (Kind): ", which the exception says once.
    private static string WithoutPrefix(string name, CredentialKind kind, IEnumerable<string> failures)
    {
        var prefix = $"Credential '{name}' ({kind.Type}): ";
        return string.Join(" ", failures.Select(failure => failure.StartsWith(prefix, StringComparison.Ordinal) ? failure[prefix.Length..] : failure));
    }

    private static CredentialException Refused(string name, string kind, string problem) =>
        new(name, kind, "the definition was refused: " + problem);
}
