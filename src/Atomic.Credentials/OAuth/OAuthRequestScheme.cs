namespace Atomic.Credentials;

/// <summary>How the token request carries its parameters.</summary>
public enum OAuthRequestScheme
{
    /// <summary>
    /// A <c>POST</c> with the parameters form-encoded in the body
    /// (<c>application/x-www-form-urlencoded</c>), as RFC 6749 §4.4.2 specifies.
    /// </summary>
    Body,

    /// <summary>
    /// A <c>GET</c> with the parameters in the query, merged with the query the Identity URL already
    /// has. A parameter the credential sends replaces a same-named one in the Identity URL; the
    /// Identity URL's other parameters are kept as written. For identity providers that only take
    /// GET (Marketo); the secret then travels in the URL, so prefer <see cref="Body"/> when you can.
    /// </summary>
    Query,

    /// <summary>
    /// A <c>POST</c> with the parameters as one JSON object of strings (<c>application/json</c>),
    /// for identity providers that take no form (Salesforce Marketing Cloud's <c>/v2/token</c>).
    /// </summary>
    JsonBody,
}
