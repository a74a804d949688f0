using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.KeyPair;

/// <summary>
/// Custom claims: what values a JWT may carry (strings, numbers, booleans, arrays of them), how
/// configuration's strings become those types, and a canonical text of them for cache keys.
/// </summary>
internal static class ClaimValues
{
    public const string Field = "Claims";

    /// <summary>
    /// Reads configuration's claims with their JSON types: configuration keeps only strings, so a value
    /// that reads back exactly as a boolean or a number is one, and a list (keys 0, 1, …) is an array.
    /// </summary>
    public static void FromConfiguration(IConfigurationSection claims, IDictionary<string, object> target)
    {
        foreach (var child in claims.GetChildren())
        {
            target[child.Key] = Read(child);
        }
    }

    /// <summary>Checks every claim and returns them in the types the JWT writer takes, or null when one is bad.</summary>
    public static IReadOnlyDictionary<string, object>? Validate(OptionsErrors errors, IDictionary<string, object>? claims)
    {
        if (claims is null)
        {
            errors.Add(Field, "must not be null");
            return null;
        }

        var valid = new Dictionary<string, object>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (name, value) in claims)
        {
            var problem = string.IsNullOrWhiteSpace(name) ? "has a claim without a name"
                : JwtClaims.Registered.Contains(name) ? $"'{name}' is a registered claim the credential sets itself; set it through its own field or leave it out"
                : null;
            if (problem is not null)
            {
                errors.Add(Field, problem);
                ok = false;
                continue;
            }

            if (Normalize(value) is { } normalized)
            {
                valid[name] = normalized;
            }
            else
            {
                errors.Add($"{Field}:{name}", "must be a string, a number, a boolean or an array of them");
                ok = false;
            }
        }

        return ok ? valid : null;
    }

    /// <summary>A canonical text of the claims, type included, for a cache key.</summary>
    public static string Describe(IReadOnlyDictionary<string, object> claims)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in claims.OrderBy(claim => claim.Key, StringComparer.Ordinal))
        {
            text.Append(JsonSerializer.Serialize(name, ClaimJsonContext.Default.String)).Append('=');
            Describe(text, value);
            text.Append(';');
        }

        return text.ToString();
    }

    private static void Describe(StringBuilder text, object value)
    {
        switch (value)
        {
            case object[] items:
                text.Append('[');
                foreach (var item in items)
                {
                    Describe(text, item);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case string s:
                text.Append(JsonSerializer.Serialize(s, ClaimJsonContext.Default.String));
                break;
            case JsonElement element:
                text.Append("json:").Append(element.GetRawText());
                break;
            default:
                text.Append(value.GetType().Name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static object? Normalize(object? value) => value switch
    {
        string or bool or int or long or short or byte or sbyte or ushort or uint or ulong or decimal => value,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => (double)f,
        JsonElement { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Null) } element => element,
        IEnumerable items and not IDictionary => NormalizeArray(items),
        _ => null,
    };

    private static object[]? NormalizeArray(IEnumerable items)
    {
        var list = new List<object>();
        foreach (var item in items)
        {
            // Arrays of scalars only: nested arrays and objects are beyond what the platform sends.
            if (item is IEnumerable and not string || Normalize(item) is not { } normalized)
            {
                return null;
            }

            list.Add(normalized);
        }

        return [.. list];
    }

    private static object Read(IConfigurationSection section)
    {
        if (section.Value is { } value)
        {
            return Scalar(value);
        }

        var children = section.GetChildren().ToList();
        var isList = children.Count > 0 && children.Select((child, index) => child.Key == index.ToString(CultureInfo.InvariantCulture)).All(x => x);

        // A nested object is left as a dictionary, which validation refuses with the claim's name.
        return isList
            ? children.Select(Read).ToArray()
            : children.ToDictionary(child => child.Key, Read);
    }

    private static object Scalar(string value)
    {
        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
            && integer.ToString(CultureInfo.InvariantCulture) == value)
        {
            return integer;
        }

        // Only the canonical spelling: "007" or "1e3" stay strings, as a user who wrote them likely meant.
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number) && number.ToString("R", CultureInfo.InvariantCulture) == value
            ? number
            : value;
    }
}
