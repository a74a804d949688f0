using Atomic.Credentials.Caching;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// Sends requests addressed to the tenant's documented REST and SOAP hosts to the instance URLs
/// of the latest token response. Until a token response names them (a token from a distributed
/// cache, filled by another process), requests go where they were addressed, which is the
/// documented address of the same tenant.
/// </summary>
internal sealed class SalesforceMarketingCloudProfile(Uri restBase, Uri soapBase) : OAuthApiProfile
{
    private volatile Instances? instances;

    public override string Kind => SalesforceMarketingCloudOptions.KindName;

    /// <summary>The REST instance URL of the latest token, if any.</summary>
    internal Uri? RestInstance => instances?.Rest;

    public override void Received(CachedCredential entry, TokenResponse response) =>
        instances = new Instances(BaseOf(response.RestInstanceUrl), BaseOf(response.SoapInstanceUrl));

    public override Uri? Redirect(Uri requestUri)
    {
        var current = instances;
        return current is null ? null : Rebase(requestUri, restBase, current.Rest) ?? Rebase(requestUri, soapBase, current.Soap);
    }

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

        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback) ? uri : null;
    }

    private sealed record Instances(Uri? Rest, Uri? Soap);
}
