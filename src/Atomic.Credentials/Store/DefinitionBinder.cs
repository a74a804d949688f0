using System.Text.Json;
using System.Text.RegularExpressions;
using Atomic.Credentials.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.Store;

/// <summary>
/// Turns a saved definition (the JSON object of one configuration entry) into its kind and a bound,
/// validated options instance, exactly as start-up configuration is: the same <c>Type</c> and
/// unknown-field checks, the kind's own binding, the kind's validator. A definition that does not
/// pass throws a <see cref="CredentialException"/> naming the credential and the fields, never a value.
/// </summary>
internal static partial class DefinitionBinder
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
            // The validators' lines start with "Credential 'name' (Kind): ", which the exception says once.
            var prefix = $"Credential '{name}' ({kind.Type}): ";
            throw Refused(name, kind.Type, string.Join(" ", result.Failures.Select(failure =>
                failure.StartsWith(prefix, StringComparison.Ordinal) ? failure[prefix.Length..] : failure)));
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

    private static CredentialOptions BindInstance(string name, CredentialKind kind, IConfigurationSection section)
    {
        try
        {
            return kind.BindInstance(section);
        }
        catch (InvalidOperationException exception)
        {
            // The binder's message (and its inner FormatException) may quote the value: only the
            // path is kept, and the exception is not chained.
            var field = BinderPath().Match(exception.Message) is { Success: true } match
                ? match.Groups["path"].Value[(SectionKey.Length + 1)..].Replace(':', '.')
                : null;
            throw Refused(name, kind.Type, field is null
                ? "a field has a value that cannot be converted to the field's type."
                : $"{field} has a value that cannot be converted to the field's type.");
        }
    }

    private static CredentialException Refused(string name, string kind, string problem) =>
        new(name, kind, "the definition was refused: " + problem);

    [GeneratedRegex("at '(?<path>" + SectionKey + ":[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex BinderPath();
}
