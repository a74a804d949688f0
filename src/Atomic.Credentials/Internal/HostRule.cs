using System.Globalization;

namespace Atomic.Credentials.Internal;

/// <summary>One entry of <see cref="CredentialOptions.AllowedHosts"/>: an exact host or <c>*.suffix</c>.</summary>
internal readonly struct HostRule
{
    private static readonly IdnMapping Idn = new();
    private readonly string host;
    private readonly bool wildcard;

    private HostRule(string host, bool wildcard)
    {
        this.host = host;
        this.wildcard = wildcard;
    }

    /// <summary>Parses an entry; returns the problem with it, or null.</summary>
    /// <remarks>
    /// The problem never quotes the entry: a URL pasted here by mistake may carry a password, a token
    /// in its query, or a secret as a host label. The caller names the entry by its index.
    /// </remarks>
    public static string? TryParse(string? entry, out HostRule rule)
    {
        rule = default;
        var text = entry?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "is empty";
        }

        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        var name = wildcard ? text[2..] : text;
        if (name.Contains('*', StringComparison.Ordinal))
        {
            return "may use '*' only as its whole first label, as in '*.example.com'";
        }

        if (name.Contains("://", StringComparison.Ordinal) || name.IndexOfAny(['/', '?', '#', '@', ' ', ':']) >= 0)
        {
            return "must be a host name only, without scheme, port or path";
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(name.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            return "is not a valid host name";
        }

        if (Uri.CheckHostName(ascii) == UriHostNameType.Unknown)
        {
            return "is not a valid host name";
        }

        rule = new HostRule(ascii.ToLowerInvariant(), wildcard);
        return null;
    }

    /// <summary>Whether <paramref name="idnHost"/> (as <see cref="Uri.IdnHost"/> gives it) matches.</summary>
    public bool Matches(string idnHost)
    {
        var candidate = idnHost.TrimEnd('.');
        if (!wildcard)
        {
            return string.Equals(candidate, host, StringComparison.OrdinalIgnoreCase);
        }

        return candidate.Length > host.Length + 1
            && candidate[candidate.Length - host.Length - 1] == '.'
            && candidate.EndsWith(host, StringComparison.OrdinalIgnoreCase);
    }
}
