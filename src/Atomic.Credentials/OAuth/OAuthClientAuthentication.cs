namespace Atomic.Credentials;

/// <summary>How the client proves its identity to the token endpoint (RFC 6749 §2.3).</summary>
public enum OAuthClientAuthentication
{
    /// <summary><c>client_id</c> and <c>client_secret</c> as request parameters (<c>client_secret_post</c>).</summary>
    RequestBody,

    /// <summary>
    /// <c>Authorization: Basic</c> with the client id and secret each form-encoded before base64,
    /// as RFC 6749 §2.3.1 requires (<c>client_secret_basic</c>): ids and secrets with <c>:</c>,
    /// <c>+</c>, <c>%</c> or spaces work.
    /// </summary>
    BasicHeader,

    /// <summary>
    /// A JWT signed with the client's private key (RFC 7523, <c>private_key_jwt</c>): <c>iss</c> and
    /// <c>sub</c> are the client id, <c>aud</c> the token endpoint, with a fresh <c>jti</c> each time.
    /// </summary>
    PrivateKeyJwt,
}
