namespace Atomic.Credentials.Internal;

/// <summary>
/// The one rule for the transport material may cross: https, or plain http to a loopback host (a
/// stand-in on this machine), or plain http anywhere when <c>AllowInsecureTransport</c> opts out.
/// The guard applies it to each request, validation to each configured endpoint, a preset to the
/// addresses a token response teaches.
/// </summary>
internal static class TransportRule
{
    public static Transport Judge(Uri uri, bool allowInsecureTransport)
    {
        if (string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal))
        {
            return Transport.Safe;
        }

        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal))
        {
            return Transport.NotHttp;
        }

        return uri.IsLoopback || allowInsecureTransport ? Transport.Safe : Transport.InsecureHttp;
    }

    public static bool IsSafe(Uri uri, bool allowInsecureTransport) => Judge(uri, allowInsecureTransport) == Transport.Safe;

    internal enum Transport
    {
        Safe,

        /// <summary>Plain http to a host that is not loopback, not allowed.</summary>
        InsecureHttp,

        /// <summary>Neither https nor http.</summary>
        NotHttp,
    }
}
