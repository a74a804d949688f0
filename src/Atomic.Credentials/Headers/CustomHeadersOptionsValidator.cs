using System.Buffers;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Headers;

internal sealed class CustomHeadersOptionsValidator : CredentialOptionsValidator<CustomHeadersOptions>
{
    // RFC 9110 §5.6.2 tchar.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // Headers HttpClient owns, or that belong on the content or to the connection.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Disposition", "Expires", "Last-Modified", "Allow",
    };

    protected override void Check(OptionsErrors errors, CustomHeadersOptions options)
    {
        errors.AddCommon(options);
        if (options.Headers is null || options.Headers.Count == 0)
        {
            errors.Add(nameof(options.Headers), "must name at least one header");
            return;
        }

        foreach (var (header, value) in options.Headers)
        {
            if (string.IsNullOrEmpty(header) || header.AsSpan().ContainsAnyExcept(TokenChars))
            {
                // Not repeated: a name that is not a token is most often a whole "Name: value" line pasted as the name.
                errors.Add(nameof(options.Headers), "has a header name that is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)");
                continue;
            }

            var field = $"{nameof(options.Headers)}:{header}";
            if (Reserved.Contains(header))
            {
                errors.Add(field, "is a header HttpClient manages itself; it cannot be a credential");
            }
            else if (value is null)
            {
                errors.Add(field, "has no value");
            }
            else if (errors.NoControlCharacters(field, value) && value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
            {
                errors.Add(field, "must be printable ASCII; HttpClient refuses other characters in header values");
            }
        }
    }
}
