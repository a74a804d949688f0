using Atomic.Credentials.Internal;
using Atomic.Credentials.KeyPair;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// <c>private_key_jwt</c> (RFC 7523 §2.2): a short-lived JWT signed with the client's key, made by
/// the package's one JWT factory. <c>iss</c> = <c>sub</c> = client id, <c>aud</c> = the token
/// endpoint, a fresh <c>jti</c> each time so an identity provider that rejects replays accepts it.
/// </summary>
internal sealed class ClientAssertion
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    // Long enough for clock skew and a slow network, short enough that a captured one is soon useless.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly KeyPairSigningKey key;
    private readonly JwtClaims claims;
    private readonly TimeProvider timeProvider;

    private ClientAssertion(KeyPairSigningKey key, JwtClaims claims, TimeProvider timeProvider)
    {
        this.key = key;
        this.claims = claims;
        this.timeProvider = timeProvider;
    }

    /// <summary>The key's public thumbprint: identifies it in cache keys without revealing it.</summary>
    public string KeyThumbprint => key.PublicKeyThumbprint;

    /// <summary>Reports bad <c>PrivateKey</c>, <c>Passphrase</c>, <c>Algorithm</c> or <c>KeyId</c> in the key-pair kind's own words.</summary>
    public static void Validate(OptionsErrors errors, OAuthClientCredentialsOptions options) =>
        SigningKeyFields.Validate(errors, options.PrivateKey, options.Passphrase, options.Algorithm, options.KeyId)?.Key.Dispose();

    public static ClientAssertion Create(OAuthClientCredentialsOptions options, Uri tokenEndpoint, TimeProvider timeProvider)
    {
        var key = KeyPairSigningKey.Load(options.PrivateKey!, options.Passphrase, options.Algorithm!, options.KeyId);
        var audience = tokenEndpoint.GetLeftPart(UriPartial.Path);
        return new ClientAssertion(key, new JwtClaims(options.ClientId, options.ClientId, [audience], Lifetime), timeProvider);
    }

    public string Next() => JwtFactory.Create(key, claims, timeProvider.GetUtcNow()).Token;
}
