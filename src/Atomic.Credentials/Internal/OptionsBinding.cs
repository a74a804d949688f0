using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// Binds configuration into a credential's options, turning a value the binder cannot convert into an
/// error that names the credential, the field and the type it expects — never the value. Every path
/// that binds a credential comes through here: configuration (at start-up and on reload) and
/// definitions saved at run time.
/// </summary>
/// <remarks>
/// The binder's own error quotes the value (<c>Failed to convert configuration value '…' at …</c>),
/// and so does its inner <see cref="FormatException"/>: a password pasted into a flag would reach logs
/// and crash reports. Neither is kept, not even as an inner exception. To name the field without
/// parsing that message, each value of the section is bound again on its own into a fresh instance:
/// the ones that fail are the fields to name.
/// </remarks>
internal static class OptionsBinding
{
    /// <summary>Binds <paramref name="section"/> into <paramref name="target"/> with the kind's <paramref name="bind"/>.</summary>
    /// <param name="target">The options instance to fill.</param>
    /// <param name="section">The credential's section: its children are the fields.</param>
    /// <param name="credentialName">The credential's name, for the error.</param>
    /// <param name="kind">The kind's <c>Type</c> name, for the error.</param>
    /// <param name="bind">
    /// The kind's own binding, written where the options type is concrete so the binder's source
    /// generator intercepts it (a generic call here would fall back to the reflection binder).
    /// </param>
    /// <exception cref="OptionsValidationException">A value cannot be converted to its field's type.</exception>
    public static void BindSafely<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        TOptions target, IConfiguration section, string credentialName, string kind, Action<TOptions, IConfiguration> bind)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(bind);
        try
        {
            bind(target, section);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not attached as the inner exception: its message holds the value.
            throw new OptionsValidationException(
                credentialName, typeof(TOptions), Unconvertible(section, credentialName, kind, bind, e.GetType().Name));
        }
    }

    // One problem per value that fails alone; a failure no single value reproduces is still reported, by its type only.
    private static string[] Unconvertible<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        IConfiguration section, string credentialName, string kind, Action<TOptions, IConfiguration> bind, string failure)
        where TOptions : class, new()
    {
        var errors = new OptionsErrors(credentialName, kind);
        var basePath = (section as IConfigurationSection)?.Path;
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null || BindsAlone<TOptions>(key, value, bind))
            {
                continue;
            }

            var path = string.IsNullOrEmpty(basePath) ? key : ConfigurationPath.Combine(basePath, key);
            errors.Add(key, $"must be {Expected(typeof(TOptions), key)}; the value at '{path}' could not be converted");
        }

        if (errors.Result.Succeeded)
        {
            errors.Add("Its configuration", $"could not be bound ({failure})");
        }

        return [.. errors.Result.Failures!];
    }

    private static bool BindsAlone<TOptions>(string key, string value, Action<TOptions, IConfiguration> bind)
        where TOptions : class, new()
    {
        var alone = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(key, value)]).Build();
        try
        {
            bind(new TOptions(), alone);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    // What a field takes, in the user's words; an entry of a list or dictionary takes its element type.
    private static string Expected([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type optionsType, string key)
    {
        var field = key.Split(ConfigurationPath.KeyDelimiter)[0];
        var type = optionsType.GetProperties()
            .FirstOrDefault(property => property.Name.Equals(field, StringComparison.OrdinalIgnoreCase))?.PropertyType;
        if (type is null)
        {
            return "a value of its field's type";
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsGenericType && key.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal))
        {
            type = type.GetGenericArguments()[^1];
            type = Nullable.GetUnderlyingType(type) ?? type;
        }

        return type switch
        {
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a time span, as in 00:00:45 (hh:mm:ss) or 1.00:00:00 (one day)",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number, as in 0.9",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(Uri) => "a URL",
            _ => string.Create(CultureInfo.InvariantCulture, $"a value of type {type.Name}"),
        };
    }
}
