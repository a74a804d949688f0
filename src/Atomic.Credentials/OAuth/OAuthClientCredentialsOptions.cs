namespace Atomic.Credentials;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 §4.4): <c>Type: "OAuthClientCredentials"</c>. A token is
/// requested from <see cref="IdentityUrl"/> and sent as <c>Authorization: Bearer …</c>.
/// </summary>
/// <remarks>
/// A token is used for <see cref="CacheDuration"/>, then replaced in the background while it is
/// still served, so under steady load no request waits for the identity provider. It is never
/// served past its <c>expires_in</c> less a safety margin. <see cref="CredentialOptions.AllowedHosts"/>
/// names the APIs the token may go to; the Identity URL itself is checked on its own.
/// </remarks>
public sealed class OAuthClientCredentialsOptions : CredentialOptions
{
    internal const string KindName = "OAuthClientCredentials";

    /// <summary>
    /// The token endpoint, e.g. <c>https://login.example.com/oauth2/token</c>. Must be https, or http
    /// to a loopback host, unless <see cref="CredentialOptions.AllowInsecureTransport"/> is set. It may
    /// carry a query of its own (see <see cref="OAuthRequestScheme.Query"/>); never a fragment.
    /// </summary>
    public string IdentityUrl { get; set; } = string.Empty;

    /// <summary>The client id. Required.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The client secret. Required unless <see cref="ClientAuthentication"/> is <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The <c>scope</c> parameter (space-separated scopes); left out when empty.</summary>
    public string? Scope { get; set; }

    /// <summary>How the token request carries its parameters: <see cref="OAuthRequestScheme.Body"/> (default) or <see cref="OAuthRequestScheme.Query"/>.</summary>
    public OAuthRequestScheme RequestScheme { get; set; } = OAuthRequestScheme.Body;

    /// <summary>How the client authenticates: <see cref="OAuthClientAuthentication.RequestBody"/> (default), <see cref="OAuthClientAuthentication.BasicHeader"/> or <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>.</summary>
    public OAuthClientAuthentication ClientAuthentication { get; set; } = OAuthClientAuthentication.RequestBody;

    /// <summary>
    /// For <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>: the private key (PEM text or the path
    /// of a PEM file), as in a <c>KeyPair</c> credential.
    /// </summary>
    public string? PrivateKey { get; set; }

    /// <summary>For <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>: the passphrase of an encrypted PKCS#8 key.</summary>
    public string? Passphrase { get; set; }

    /// <summary>For <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>: the JWS algorithm (<c>RS256</c>, <c>ES256</c>, …), as in a <c>KeyPair</c> credential.</summary>
    public string? Algorithm { get; set; }

    /// <summary>For <see cref="OAuthClientAuthentication.PrivateKeyJwt"/>: the <c>kid</c> header, if the identity provider needs one.</summary>
    public string? KeyId { get; set; }

    /// <summary>
    /// DPoP (RFC 9449): bind the token to a proof key. The token request and every API request carry a
    /// fresh proof JWT signed with the key, and the token goes as <c>Authorization: DPoP …</c>; a
    /// server's nonce (<c>use_dpop_nonce</c>) is remembered per origin and the request retried once
    /// with it. Default <see langword="false"/>.
    /// </summary>
    public bool Dpop { get; set; }

    /// <summary>
    /// With <see cref="Dpop"/>: the proof key (PEM text or the path of a PEM file, unencrypted), as a
    /// <c>KeyPair</c> credential's <c>PrivateKey</c>. A secret. Left out, a key is generated once per
    /// process, so each process gets its own tokens (the cache key holds the key's thumbprint).
    /// </summary>
    public string? DpopKey { get; set; }

    /// <summary>
    /// With <see cref="Dpop"/>: the proof algorithm, <c>ES256</c> or <c>RS256</c>; it must fit <see cref="DpopKey"/>.
    /// Unset: the key's type decides (RSA: RS256, EC: ES256), and a generated key is ES256.
    /// </summary>
    public string? DpopAlgorithm { get; set; }

    /// <summary>
    /// How long a token is used before a new one is requested (in the background; the current one is
    /// served meanwhile). Default 45 seconds. A token whose <c>expires_in</c> is shorter is replaced sooner.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Further token request parameters, e.g. <c>audience</c>, <c>resource</c> or an account id.
    /// They cannot replace the parameters the credential sets itself (<c>grant_type</c>,
    /// <c>client_id</c>, <c>client_secret</c>, the client assertion, and <c>scope</c> when <see cref="Scope"/> is set).
    /// </summary>
    public IDictionary<string, string> AdditionalParameters { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long one token request may take before it fails. Default 30 seconds.</summary>
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After the identity provider answers a token request with <c>429</c> or a <c>5xx</c> and no
    /// <c>Retry-After</c>, the first pause before it is asked again: between half of this and all of it.
    /// Each further failure in a row doubles it, up to <see cref="TokenRetryBackoffMax"/>. Default 2 seconds.
    /// A <c>Retry-After</c> (seconds or an HTTP date) is honoured as given instead.
    /// </summary>
    public TimeSpan TokenRetryBackoffMin { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause of the backoff (see <see cref="TokenRetryBackoffMin"/>). Default 2 minutes.</summary>
    public TimeSpan TokenRetryBackoffMax { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// When the API answers <c>401</c>, evict the token and retry the request once with a new one
    /// (only when its body can be sent again). Default <see langword="true"/>.
    /// </summary>
    public bool RetryOnUnauthorized { get; set; } = true;

    /// <summary>
    /// Set by an integration preset (see <c>Integrations/</c>) on the options it derives.
    /// A field, so the configuration binder never sees it.
    /// </summary>
    internal OAuth.OAuthApiProfile? Profile;

    internal override string Kind => KindName;
}
