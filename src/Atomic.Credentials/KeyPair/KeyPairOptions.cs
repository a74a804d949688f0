using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials;

/// <summary>
/// A JWT signed with a private key, sent as <c>Authorization: Bearer …</c>: <c>Type: "KeyPair"</c>.
/// The system called holds the matching public key (see <see cref="KeyPairPublicKey"/>).
/// </summary>
/// <remarks>
/// Each JWT carries <c>iss</c>, <c>sub</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c> = now +
/// <see cref="Lifetime"/> and a fresh <c>jti</c>. It is reused for <see cref="CacheLifetimeRatio"/> of
/// its lifetime, then replaced in the background while still valid.
/// </remarks>
public sealed class KeyPairOptions : CredentialOptions
{
    internal const string KindName = "KeyPair";

    /// <summary>
    /// The private key as PEM text — PKCS#8 (<c>BEGIN PRIVATE KEY</c>), encrypted PKCS#8
    /// (<c>BEGIN ENCRYPTED PRIVATE KEY</c>, with <see cref="Passphrase"/>), PKCS#1
    /// (<c>BEGIN RSA PRIVATE KEY</c>) or SEC1 (<c>BEGIN EC PRIVATE KEY</c>) — or the path of a PEM file.
    /// </summary>
    public string PrivateKey { get; set; } = string.Empty;

    /// <summary>The passphrase of an encrypted PKCS#8 key; leave unset for an unencrypted key.</summary>
    public string? Passphrase { get; set; }

    /// <summary>
    /// The JWS algorithm: RS256/384/512 or PS256/384/512 for an RSA key (2048 bits or more),
    /// ES256, ES384, ES512 for an EC key on P-256, P-384, P-521 respectively. Default RS256.
    /// </summary>
    public string Algorithm { get; set; } = SecurityAlgorithms.RsaSha256;

    /// <summary>The <c>iss</c> claim. Required.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The <c>sub</c> claim; left out when unset.</summary>
    public string? Subject { get; set; }

    /// <summary>The <c>aud</c> claim; with <see cref="Audiences"/>, one audience is written as a string, several as an array.</summary>
    public string? Audience { get; set; }

    /// <summary>More audiences, for a JWT several systems accept.</summary>
    public IList<string> Audiences { get; set; } = [];

    /// <summary><c>exp</c> − <c>iat</c>: how long each JWT is valid. Default 5 minutes; at least 1 second.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The share of <see cref="Lifetime"/> a JWT is reused for before a new one is made in the
    /// background; greater than 0, at most 1. Default 0.9.
    /// </summary>
    public double CacheLifetimeRatio { get; set; } = 0.9;

    /// <summary>The <c>kid</c> header, naming the key to the verifier; left out when unset.</summary>
    public string? KeyId { get; set; }

    /// <summary>The <c>typ</c> header. Default <c>JWT</c>.</summary>
    public string TokenType { get; set; } = "JWT";

    /// <summary>
    /// Custom claims: strings, numbers, booleans, or arrays of them. None may be a registered claim
    /// the credential sets itself (<c>iss</c>, <c>sub</c>, <c>aud</c>, <c>exp</c>, <c>nbf</c>, <c>iat</c>,
    /// <c>jti</c>). From configuration, a value that reads as <c>true</c>/<c>false</c> or as a number
    /// (in its canonical form) is written as such, and a list as an array.
    /// </summary>
    public IDictionary<string, object> Claims { get; set; } = new Dictionary<string, object>(StringComparer.Ordinal);

    internal override string Kind => KindName;

    /// <summary><see cref="Audience"/> then <see cref="Audiences"/>, without empties or repeats: the <c>aud</c> to write.</summary>
    internal IReadOnlyList<string> AllAudiences() =>
        new[] { Audience }.Concat(Audiences ?? [])
            .Where(audience => !string.IsNullOrEmpty(audience))
            .Select(audience => audience!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}
