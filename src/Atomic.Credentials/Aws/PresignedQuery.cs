using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>Takes a previous signature's query parameters off a URI, so a resent request is signed cleanly.</summary>
internal static class PresignedQuery
{
    public static Uri Without(Uri uri)
    {
        var query = uri.Query.AsSpan(1);
        var kept = new StringBuilder(query.Length);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            if (pair.IsEmpty || IsSignatureParameter(name))
            {
                continue;
            }

            kept.Append(kept.Length == 0 ? '?' : '&').Append(pair);
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path) + kept.ToString());
    }

    private static bool IsSignatureParameter(ReadOnlySpan<char> name)
    {
        foreach (var parameter in SigV4Signer.QueryParameters)
        {
            if (name.Equals(parameter, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
