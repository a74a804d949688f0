using System.Runtime.CompilerServices;

namespace Atomic.Credentials.Internal;

/// <summary>
/// Step 1 of every handler: may this credential go to this request's host, over this transport?
/// Built once per options instance.
/// </summary>
internal sealed class CredentialGuard
{
    private readonly HostRule[] rules;
    private readonly bool restricted;
    private readonly bool allowInsecureTransport;

    public CredentialGuard(CredentialOptions options)
    {
        var parsed = new List<HostRule>(options.AllowedHosts.Count);
        foreach (var entry in options.AllowedHosts)
        {
            // Validation reports bad entries at start-up; one that slips through allows nothing.
            if (HostRule.TryParse(entry, out var rule) is null)
            {
                parsed.Add(rule);
            }
        }

        rules = [.. parsed];
        restricted = options.AllowedHosts.Count > 0;
        allowInsecureTransport = options.AllowInsecureTransport;
    }

    /// <summary>Returns why the credential must not be sent to <paramref name="uri"/>, or null when it may.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public string? Check(Uri? uri) =>
        !restricted && uri is { IsAbsoluteUri: true } && ReferenceEquals(uri.Scheme, Uri.UriSchemeHttps)
            ? null // the common case, decided without a call: https to any host
            : CheckAny(uri);

    private string? CheckAny(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri)
        {
            return "the request has no absolute URI";
        }

        switch (TransportRule.Judge(uri, allowInsecureTransport))
        {
            case TransportRule.Transport.InsecureHttp:
                return "plain http to a host that is not loopback; use https or set AllowInsecureTransport";
            case TransportRule.Transport.NotHttp:
                return $"the scheme '{uri.Scheme}' is neither https nor http";
        }

        if (restricted && !MatchesAny(uri.IdnHost))
        {
            return "the host is not in AllowedHosts";
        }

        return null;
    }

    /// <summary>Whether a redirect from <paramref name="from"/> to <paramref name="to"/> stays on the same origin.</summary>
    public static bool SameOrigin(Uri from, Uri to) =>
        string.Equals(from.Scheme, to.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(from.IdnHost, to.IdnHost, StringComparison.OrdinalIgnoreCase)
        && from.Port == to.Port;

    private bool MatchesAny(string host)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(host))
            {
                return true;
            }
        }

        return false;
    }
}
