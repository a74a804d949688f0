using Atomic.Credentials.Integrations;
using Atomic.Credentials.OAuth;

namespace Atomic.Credentials;

/// <summary>
/// Marketo's REST API (<c>Type: "Marketo"</c>): an OAuth client credentials token from
/// <c>&lt;IdentityUrl&gt;/oauth/token</c> by <c>GET</c> (Marketo takes no other form), sent as
/// <c>Authorization: Bearer</c>. A token Marketo reports invalid or expired — HTTP 200 with error
/// <c>601</c> or <c>602</c> in the body — is treated as a 401: evicted, and the request retried
/// once with a new token.
/// </summary>
/// <remarks>
/// A client attached to this credential without a base address of its own gets <see cref="RestUrl"/>,
/// so <c>client.GetAsync("v1/leads.json?…")</c> works as is.
/// </remarks>
public sealed class MarketoOptions : CredentialOptions
{
    internal const string KindName = "Marketo";

    /// <summary>The Identity URL from Admin › Web Services, e.g. <c>https://064-CCJ-768.mktorest.com/identity</c>. Required.</summary>
    public string IdentityUrl { get; set; } = string.Empty;

    /// <summary>
    /// The REST API's base address (Admin › Web Services › Endpoint), e.g.
    /// <c>https://064-CCJ-768.mktorest.com/rest/</c>; the Identity URL's origin with <c>/rest/</c> when left out.
    /// </summary>
    public string? RestUrl { get; set; }

    /// <summary>The client id of the LaunchPoint service. Required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The client secret of the LaunchPoint service. Required.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>How long one token request may take before it fails. Default 30 seconds.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal override string Kind => KindName;

    /// <summary>The token endpoint: the Identity URL's path with <c>/oauth/token</c>.</summary>
    internal Uri TokenUrl
    {
        get
        {
            var identity = new UriBuilder(IdentityUrl);
            identity.Path = identity.Path.TrimEnd('/') + "/oauth/token";
            return identity.Uri;
        }
    }

    internal Uri RestBaseAddress => string.IsNullOrEmpty(RestUrl)
        ? new Uri(new Uri(IdentityUrl, UriKind.Absolute), "/rest/")
        : new Uri(RestUrl.EndsWith('/') ? RestUrl : RestUrl + "/", UriKind.Absolute);

    /// <summary>The OAuth credential this preset stands for.</summary>
    internal OAuthClientCredentialsOptions ToOAuth() => new()
    {
        IdentityUrl = TokenUrl.AbsoluteUri,
        RequestScheme = OAuthRequestScheme.Query,
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        // Marketo hands out the same token until it expires (expires_in counts down to it), so
        // asking sooner gains nothing: the token's own lifetime governs.
        CacheDuration = TimeSpan.FromHours(1),
        TokenRequestTimeout = TokenRequestTimeout,
        AllowedHosts = AllowedHosts,
        AllowInsecureTransport = AllowInsecureTransport,
        Profile = MarketoProfile.Instance,
    };
}
