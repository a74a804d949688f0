using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// The latest DPoP nonce each server gave (RFC 9449 §8, §9), by origin: the token endpoint's and
/// each API's. Bounded: a credential that talks to more origins than <see cref="MaxOrigins"/> forgets
/// them all and learns again (a server that needs a nonce asks for it once more).
/// </summary>
internal sealed class DpopNonces
{
    public const string HeaderName = "DPoP-Nonce";

    public const int MaxOrigins = 64;

    // A nonce is 1*NQCHAR (RFC 9449 §8.1); a longer one than this is not a nonce we carry.
    private const int MaxLength = 1024;

    private readonly ConcurrentDictionary<string, string> byOrigin = new(StringComparer.Ordinal);

    /// <summary>The nonce to put in a proof for <paramref name="uri"/>, if its server gave one.</summary>
    public string? For(Uri uri) => byOrigin.IsEmpty ? null : byOrigin.GetValueOrDefault(Origin(uri));

    /// <summary>Remembers the <c>DPoP-Nonce</c> header of <paramref name="response"/>, if any; returns whether there was a usable one.</summary>
    public bool Remember(Uri uri, HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues(HeaderName, out var values) || values.Count != 1)
        {
            return false;
        }

        var nonce = values.ToString();
        if (!IsNonce(nonce))
        {
            return false;
        }

        if (byOrigin.Count >= MaxOrigins)
        {
            byOrigin.Clear();
        }

        byOrigin[Origin(uri)] = nonce;
        return true;
    }

    /// <summary>
    /// Whether an API's 401 asks for a nonce (<c>WWW-Authenticate: DPoP error="use_dpop_nonce"</c>) and
    /// gave one; it is remembered for <paramref name="uri"/>'s origin.
    /// </summary>
    public bool AskedFor(Uri uri, HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.Any(IsUseNonce) && Remember(uri, response);

    /// <summary>Whether <paramref name="value"/> is a nonce as RFC 9449 §8.1 defines it (no quote, no backslash, no space).</summary>
    public static bool IsNonce(string value) =>
        value.Length is > 0 and <= MaxLength
        && !value.AsSpan().ContainsAnyExceptInRange('!', '~')
        && !value.Contains('"', StringComparison.Ordinal)
        && !value.Contains('\\', StringComparison.Ordinal);

    private static bool IsUseNonce(AuthenticationHeaderValue challenge) =>
        string.Equals(challenge.Scheme, DpopProof.Scheme, StringComparison.OrdinalIgnoreCase)
        && challenge.Parameter is { } parameters
        && (parameters.Contains("error=\"use_dpop_nonce\"", StringComparison.Ordinal) || parameters.Contains("error=use_dpop_nonce", StringComparison.Ordinal));

    private static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
}
