using Atomic.Credentials.Integrations;
using Atomic.Credentials.OAuth;

namespace Atomic.Credentials;

/// <summary>
/// Salesforce Marketing Cloud's REST and SOAP APIs (<c>Type: "SalesforceMarketingCloud"</c>) with a
/// server-to-server installed package: tokens from
/// <c>https://&lt;Subdomain&gt;.auth.marketingcloudapis.com/v2/token</c> by a JSON <c>POST</c>,
/// reused for their lifetime (about 20 minutes), sent as <c>Authorization: Bearer</c>.
/// </summary>
/// <remarks>
/// A client attached to this credential without a base address of its own gets
/// <c>https://&lt;Subdomain&gt;.rest.marketingcloudapis.com/</c>. Requests to that address (and to
/// <c>…soap.marketingcloudapis.com/</c>) go to the token response's <c>rest_instance_url</c>
/// (<c>soap_instance_url</c>), which Salesforce says is authoritative: the handler rewrites them
/// once it has a token, before the first request is sent.
/// </remarks>
public sealed class SalesforceMarketingCloudOptions : CredentialOptions
{
    internal const string KindName = "SalesforceMarketingCloud";

    /// <summary>The tenant subdomain, e.g. <c>mc563885gzs27c5t9-63k636ttgm</c> from the package's Authentication Base URI. Required.</summary>
    public string Subdomain { get; set; } = string.Empty;

    /// <summary>The installed package's client id. Required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The installed package's client secret. Required.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>The MID of the business unit to work in (<c>account_id</c>); the package's own when left out.</summary>
    public string? AccountId { get; set; }

    /// <summary>Space-separated permissions (<c>scope</c>), e.g. <c>email_read email_send</c>; the package's own when left out.</summary>
    public string? Scope { get; set; }

    /// <summary>
    /// The Authentication Base URI; <c>https://&lt;Subdomain&gt;.auth.marketingcloudapis.com/</c> when
    /// left out. Set it only for a stand-in (a loopback server in tests and samples).
    /// </summary>
    public string? AuthBaseUrl { get; set; }

    /// <summary>How long one token request may take before it fails. Default 30 seconds.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal override string Kind => KindName;

    /// <summary>Where the tenant's REST API is documented to be, and where its clients point.</summary>
    internal Uri RestBaseAddress => new($"https://{Subdomain}.rest.marketingcloudapis.com/");

    internal Uri SoapBaseAddress => new($"https://{Subdomain}.soap.marketingcloudapis.com/");

    internal Uri TokenUrl => new(
        new Uri(string.IsNullOrEmpty(AuthBaseUrl) ? $"https://{Subdomain}.auth.marketingcloudapis.com/" : AuthBaseUrl.TrimEnd('/') + "/"),
        "v2/token");

    /// <summary>The OAuth credential this preset stands for.</summary>
    internal OAuthClientCredentialsOptions ToOAuth()
    {
        var options = new OAuthClientCredentialsOptions
        {
            IdentityUrl = TokenUrl.AbsoluteUri,
            RequestScheme = OAuthRequestScheme.JsonBody,
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            Scope = Scope,
            // Tokens live 20 minutes (expires_in 1080) and Salesforce asks that each be reused for
            // its lifetime: the token's own expiry governs, not a shorter cache duration.
            CacheDuration = TimeSpan.FromMinutes(20),
            TokenRequestTimeout = TokenRequestTimeout,
            AllowedHosts = AllowedHosts,
            AllowInsecureTransport = AllowInsecureTransport,
            Profile = new SalesforceMarketingCloudProfile(RestBaseAddress, SoapBaseAddress),
        };

        if (!string.IsNullOrEmpty(AccountId))
        {
            options.AdditionalParameters["account_id"] = AccountId;
        }

        return options;
    }
}
