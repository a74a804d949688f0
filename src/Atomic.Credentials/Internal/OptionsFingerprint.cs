using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.Internal;

/// <summary>
/// What a credential's definition is, as a hash of every public field's value (secrets included):
/// two options instances with the same fingerprint define the same credential. A reload builds
/// new options instances for every name; comparing fingerprints is how an unchanged credential
/// keeps its state (its remembered token, its signer) and only a changed one is rebuilt.
/// </summary>
/// <remarks>The hash is kept in memory only, and never logged.</remarks>
internal static class OptionsFingerprint
{
    public static byte[] Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(TOptions options)
        where TOptions : class
    {
        var text = new StringBuilder();
        foreach (var property in Properties<TOptions>.Readable)
        {
            text.Append(property.Name).Append('=');
            Append(text, property.GetValue(options));
            text.Append('\n');
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public static bool Same(byte[] left, byte[] right) => left.AsSpan().SequenceEqual(right);

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("\0null");
                break;
            case string s:
                // Length-prefixed, so no two different values render alike.
                text.Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s);
                break;
            case System.Text.Json.JsonElement element:
                Append(text, element.GetRawText());
                break;
            case IDictionary dictionary:
                var entries = new List<(string Key, object? Value)>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    entries.Add((Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, entry.Value));
                }

                text.Append('{');
                foreach (var (key, item) in entries.OrderBy(entry => entry.Key, StringComparer.Ordinal))
                {
                    Append(text, key);
                    Append(text, item);
                }

                text.Append('}');
                break;
            case IEnumerable sequence:
                text.Append('[');
                foreach (var item in sequence)
                {
                    Append(text, item);
                }

                text.Append(']');
                break;
            case IFormattable formattable:
                text.Append(value.GetType().Name).Append(':').Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            case bool or Uri:
                text.Append(value);
                break;
            default:
                // An object of the user's own (a delegate, a credentials provider): the same instance or not.
                text.Append(value.GetType().FullName).Append('#')
                    .Append(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value).ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    private static class Properties<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>
    {
        public static readonly PropertyInfo[] Readable = typeof(TOptions)
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanRead && property.GetIndexParameters().Length == 0)
            .OrderBy(property => property.Name, StringComparer.Ordinal)
            .ToArray();
    }
}
