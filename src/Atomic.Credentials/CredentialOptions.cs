namespace Atomic.Credentials;

/// <summary>
/// What every credential kind shares: where its material may be sent.
/// </summary>
public abstract class CredentialOptions
{
    /// <summary>
    /// Hosts this credential may be sent to: exact names (<c>api.example.com</c>) or one leading
    /// wildcard label (<c>*.example.com</c>, which matches subdomains but not <c>example.com</c>).
    /// Empty means any host. A request to any other host is refused and never sent.
    /// </summary>
    public IList<string> AllowedHosts { get; set; } = [];

    /// <summary>
    /// Allows sending this credential over plain http to hosts other than loopback. Off by
    /// default: a credential over plain http can be read by anyone on the path.
    /// </summary>
    public bool AllowInsecureTransport { get; set; }

    /// <summary>The kind's name as used in configuration (<c>Type</c>).</summary>
    internal abstract string Kind { get; }
}
