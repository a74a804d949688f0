using System.Text;

namespace Atomic.Credentials.Cli;

/// <summary>Shows that a credential value is there and how long it is, never the value.</summary>
internal static class Masking
{
    private static readonly string[] Schemes = ["Bearer ", "Basic ", "AWS4-HMAC-SHA256 "];

    /// <summary>
    /// <c>Bearer eyJh…(812 chars)</c>: the scheme is kept, and the first characters only of a JWT
    /// (its <c>eyJ</c> header start says nothing secret); any other value shows its length alone.
    /// </summary>
    public static string Value(string value)
    {
        var scheme = Schemes.FirstOrDefault(s => value.StartsWith(s, StringComparison.OrdinalIgnoreCase)) ?? "";
        var rest = value[scheme.Length..];
        var shown = rest.StartsWith("eyJ", StringComparison.Ordinal) && rest.Length > 16 ? rest[..4] : "";
        return $"{scheme}{shown}…({rest.Length} chars)";
    }

    /// <summary>The URL with every <c>X-Amz-*</c> query value masked (a presigned or query-signed request).</summary>
    public static string Url(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.Query) || uri.Query == "?")
        {
            return uri.AbsoluteUri;
        }

        var text = new StringBuilder(uri.GetLeftPart(UriPartial.Path)).Append('?');
        var first = true;
        foreach (var pair in uri.Query[1..].Split('&'))
        {
            if (!first)
            {
                text.Append('&');
            }

            first = false;
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase) && !IsPublic(pair[..equals]))
            {
                text.Append(pair, 0, equals + 1).Append(Value(Uri.UnescapeDataString(pair[(equals + 1)..])));
            }
            else
            {
                text.Append(pair);
            }
        }

        return text.ToString();
    }

    // What a reader needs to see and holds no secret: the algorithm, the date, the lifetime, the headers signed.
    private static bool IsPublic(string name) =>
        name.Equals("X-Amz-Algorithm", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-Expires", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-SignedHeaders", StringComparison.OrdinalIgnoreCase);
}
