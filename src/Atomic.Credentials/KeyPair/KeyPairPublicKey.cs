using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.KeyPair;
using Atomic.Credentials.Store;

namespace Atomic.Credentials;

/// <summary>
/// The public half of a key-pair credential, for the system that verifies its JWTs: as PEM
/// (SubjectPublicKeyInfo), as a JWK (RFC 7517) and as a JWKS document, each with the credential's
/// <c>alg</c> and, when set, its <c>kid</c>. Holds no private material.
/// </summary>
/// <example>
/// <code>
/// var publicKey = KeyPairPublicKey.FromOptions(options);
/// File.WriteAllText("jwks.json", publicKey.ToJwks());
/// </code>
/// </example>
public sealed class KeyPairPublicKey
{
    private readonly AsymmetricAlgorithm key;

    private KeyPairPublicKey(AsymmetricAlgorithm key, string algorithm, string? keyId)
    {
        this.key = key;
        Algorithm = algorithm;
        KeyId = keyId;
        JwkThumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(WriteJwk(requiredOnly: true))));
    }

    /// <summary>The JWS algorithm the credential signs with, e.g. <c>ES256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>kid</c> the credential writes, if any.</summary>
    public string? KeyId { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint of the JWK: a stable name for the key, often used as <c>kid</c>.</summary>
    public string JwkThumbprint { get; }

    /// <summary>Reads the public half of a key-pair credential's private key.</summary>
    /// <param name="options">The credential; its <c>PrivateKey</c>, <c>Passphrase</c>, <c>Algorithm</c> and <c>KeyId</c> are used.</param>
    /// <param name="name">The credential's name in errors.</param>
    /// <exception cref="CredentialException">The key cannot be loaded or does not fit the algorithm; the message names the field.</exception>
    public static KeyPairPublicKey FromOptions(KeyPairOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        KeyPairSigningKey signing;
        try
        {
            signing = KeyPairSigningKey.Load(options.PrivateKey, options.Passphrase, options.Algorithm, options.KeyId);
        }
        catch (SigningKeyException e)
        {
            throw new CredentialException(name ?? KeyPairOptions.KindName, KeyPairOptions.KindName, e.Message, e);
        }

        using var _ = signing.Key;
        return From(signing);
    }

    /// <summary>The public half of a loaded signing key (which stays with its owner).</summary>
    internal static KeyPairPublicKey From(KeyPairSigningKey signing)
    {
        AsymmetricAlgorithm publicOnly = signing.Key is RSA rsa
            ? RSA.Create(rsa.ExportParameters(false))
            : ECDsa.Create(((ECDsa)signing.Key).ExportParameters(false));
        return new KeyPairPublicKey(publicOnly, signing.Algorithm, signing.KeyId);
    }

    /// <summary>
    /// Reads the public half of a key-pair credential saved in <paramref name="store"/>: what a
    /// tenant hands its partner, while the private key stays encrypted in the store.
    /// </summary>
    /// <param name="store">The credential store the key pair was saved in.</param>
    /// <param name="name">The saved credential's name.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <returns>The public key, as the credential's JWTs are verified with.</returns>
    /// <exception cref="CredentialException">No credential is saved under the name, it is not a key pair, or its key cannot be loaded.</exception>
    public static async Task<KeyPairPublicKey> FromSavedAsync(CredentialStore store, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = await store.ReadOptionsAsync(name, cancellationToken).ConfigureAwait(false);
        return options is KeyPairOptions keyPair
            ? FromOptions(keyPair, name)
            : throw new CredentialException(name, options.Kind, $"Credential '{name}' is {options.Kind}: only a KeyPair credential has a public key.");
    }

    /// <summary>The RFC 7638 members only (<c>kty</c> and the key's own), e.g. for a DPoP proof's <c>jwk</c> header.</summary>
    internal string ToRequiredMembersJwk() => WriteJwk(requiredOnly: true);

    /// <summary>The public key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo), ending in a line break as openssl writes it.</summary>
    public string ToPem() => key.ExportSubjectPublicKeyInfoPem() + "\n";

    /// <summary>The public key as a JWK: <c>kty</c>, key members, <c>use</c> = <c>sig</c>, <c>alg</c> and <c>kid</c>.</summary>
    public string ToJwk() => WriteJwk(requiredOnly: false);

    /// <summary>A JWKS document holding this key: <c>{"keys":[…]}</c>.</summary>
    public string ToJwks() => "{\"keys\":[" + ToJwk() + "]}";

    /// <inheritdoc />
    public override string ToString() => $"KeyPairPublicKey {{ Algorithm = {Algorithm}, KeyId = {KeyId}, JwkThumbprint = {JwkThumbprint} }}";

    // RFC 7638 wants the required members only, in lexicographic order and without whitespace;
    // writing them in that order serves the full JWK as well.
    private string WriteJwk(bool requiredOnly)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (key is RSA rsa)
            {
                var parameters = rsa.ExportParameters(false);
                json.WriteString("e", Base64Url.EncodeToString(parameters.Exponent));
                json.WriteString("kty", "RSA");
                json.WriteString("n", Base64Url.EncodeToString(parameters.Modulus));
            }
            else
            {
                var ec = (ECDsa)key;
                var parameters = ec.ExportParameters(false);
                json.WriteString("crv", KeyPairSigningKey.CurveName(ec));
                json.WriteString("kty", "EC");
                json.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
                json.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
            }

            if (!requiredOnly)
            {
                json.WriteString("use", "sig");
                json.WriteString("alg", Algorithm);
                if (KeyId is not null)
                {
                    json.WriteString("kid", KeyId);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
