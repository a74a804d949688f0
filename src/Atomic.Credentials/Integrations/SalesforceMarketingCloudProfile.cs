using Atomic.Credentials.Caching;
using Atomic.Credentials.Internal;
using Atomic.Credentials.OAuth;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// Sends requests addressed to the tenant's documented REST and SOAP hosts to the instance URLs
/// of the token's own response. The URLs travel with the token in its cache entry, so every
/// handler, every reload that leaves the credential unchanged, and with a distributed cache every
/// process that uses the token sends where the token response said. A token without them goes
/// where it was addressed, which is the documented address of the same tenant.
/// </summary>
internal sealed class SalesforceMarketingCloudProfile(Uri restBase, Uri soapBase) : OAuthApiProfile
{
    private const string RestProperty = "rest_instance_url";
    private const string SoapProperty = "soap_instance_url";

    public override string Kind => SalesforceMarketingCloudOptions.KindName;

    public override CachedCredential Received(CachedCredential entry, TokenResponse response)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in (ReadOnlySpan<string>)[RestProperty, SoapProperty])
        {
            if (BaseOf(response.Extra.GetValueOrDefault(property)) is { } instance)
            {
                properties[property] = instance.AbsoluteUri;
            }
        }

        return properties.Count == 0 ? entry : new CachedCredential(entry.Value, entry.ExpiresAt, entry.RefreshAt, properties);
    }

    public override Uri? Redirect(Uri requestUri, CachedCredential entry) =>
        entry.Properties.Count == 0
            ? null
            : Rebase(requestUri, restBase, Instance(entry, RestProperty)) ?? Rebase(requestUri, soapBase, Instance(entry, SoapProperty));

    /// <summary>The REST instance URL a token's entry carries, if any.</summary>
    internal static Uri? RestInstance(CachedCredential entry) => Instance(entry, RestProperty);

    // Read back through the same rule as when received: an entry from a shared cache is not trusted more than a response.
    private static Uri? Instance(CachedCredential entry, string property) =>
        entry.Properties.TryGetValue(property, out var url) ? BaseOf(url) : null;

    private static Uri? Rebase(Uri requestUri, Uri from, Uri? to)
    {
        if (to is null || to == from || !requestUri.AbsoluteUri.StartsWith(from.AbsoluteUri, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new Uri(to, requestUri.AbsoluteUri[from.AbsoluteUri.Length..]);
    }

    // An instance URL must be an https base (http only on loopback, for stand-ins); anything else is ignored.
    private static Uri? BaseOf(string? url)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri)
            || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return TransportRule.IsSafe(uri, allowInsecureTransport: false) ? uri : null;
    }
}
