using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Atomic.Credentials.KeyPair;

/// <summary>
/// A private key loaded once, checked against its JWS algorithm, ready to sign many tokens.
/// </summary>
/// <remarks>
/// Shared by the key-pair credential and OAuth's <c>PrivateKeyJwt</c> client authentication:
/// <code>
/// var key = KeyPairSigningKey.Load(pemOrPath, passphrase, "ES256", keyId); // once, per options instance
/// var jwt = JwtFactory.Create(key, claims, timeProvider.GetUtcNow());      // per token
/// </code>
/// <see cref="Load"/> throws <see cref="SigningKeyException"/> naming the field at fault
/// (<c>PrivateKey</c>, <c>Passphrase</c>, <c>Algorithm</c>) and never any key material;
/// <see cref="SigningKeyFields.Validate"/> turns that into options validation errors.
/// </remarks>
internal sealed class KeyPairSigningKey
{
    public const string AlgorithmField = "Algorithm";

    /// <summary>The JWS algorithms supported, each with the key it needs.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    // IdentityModel refuses smaller RSA keys for signing, and RFC 7518 §3.3 asks for 2048 bits.
    private const int MinimumRsaKeySize = 2048;

    private KeyPairSigningKey(AsymmetricAlgorithm key, string algorithm, string? keyId)
    {
        Key = key;
        Algorithm = algorithm;
        KeyId = string.IsNullOrEmpty(keyId) ? null : keyId;
        SecurityKey securityKey = key is RSA rsa ? new RsaSecurityKey(rsa) : new ECDsaSecurityKey((ECDsa)key);
        securityKey.KeyId = KeyId;
        Credentials = new SigningCredentials(securityKey, algorithm);
        PublicKeyThumbprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The RSA or ECDsa key, private half included.</summary>
    public AsymmetricAlgorithm Key { get; }

    /// <summary>The JWS <c>alg</c>, e.g. <c>RS256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The <c>kid</c> header, if any.</summary>
    public string? KeyId { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>SHA-256 of the public key: identifies the key in cache keys without revealing it.</summary>
    public string PublicKeyThumbprint { get; }

    /// <summary>Loads and checks a key; see the class remarks.</summary>
    /// <param name="pemOrPath">PEM text or the path of a PEM file.</param>
    /// <param name="passphrase">The passphrase of an encrypted PKCS#8 key, else null.</param>
    /// <param name="algorithm">RS/PS/ES 256/384/512, case-insensitive.</param>
    /// <param name="keyId">The <c>kid</c> header, or null for none.</param>
    public static KeyPairSigningKey Load(string pemOrPath, string? passphrase, string algorithm, string? keyId)
    {
        var normalized = NormalizeAlgorithm(algorithm);
        var key = PrivateKeyLoader.Load(pemOrPath, passphrase);
        try
        {
            CheckFit(key, normalized);
            return new KeyPairSigningKey(key, normalized, keyId);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A new key for <paramref name="algorithm"/> (ES256: P-256, RS256: 2048 bits), living only in this process.</summary>
    public static KeyPairSigningKey Generate(string algorithm)
    {
        var normalized = NormalizeAlgorithm(algorithm);
        AsymmetricAlgorithm key = normalized[0] == 'E'
            ? ECDsa.Create(normalized switch
            {
                SecurityAlgorithms.EcdsaSha384 => ECCurve.NamedCurves.nistP384,
                SecurityAlgorithms.EcdsaSha512 => ECCurve.NamedCurves.nistP521,
                _ => ECCurve.NamedCurves.nistP256,
            })
            : RSA.Create(MinimumRsaKeySize);
        return new KeyPairSigningKey(key, normalized, keyId: null);
    }

    /// <summary>The algorithm in its canonical spelling; throws when it is not supported.</summary>
    public static string NormalizeAlgorithm(string? algorithm) =>
        Algorithms.FirstOrDefault(known => string.Equals(known, algorithm?.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new SigningKeyException(
            AlgorithmField,
            string.IsNullOrWhiteSpace(algorithm)
                ? "is required (" + string.Join(", ", Algorithms) + ")"
                : "is not supported; use one of " + string.Join(", ", Algorithms));

    private static void CheckFit(AsymmetricAlgorithm key, string algorithm)
    {
        switch (key)
        {
            case RSA rsa when algorithm[0] is 'R' or 'P':
                if (rsa.KeySize < MinimumRsaKeySize)
                {
                    throw new SigningKeyException(
                        PrivateKeyLoader.PrivateKeyField, $"is an RSA key of {rsa.KeySize} bits; {algorithm} needs at least {MinimumRsaKeySize}");
                }

                return;
            case RSA:
                throw new SigningKeyException(AlgorithmField, $"{algorithm} does not fit an RSA key; use RS256/384/512 or PS256/384/512");
            case ECDsa ec:
                var curve = CurveName(ec);
                var fitting = curve switch
                {
                    "P-256" => SecurityAlgorithms.EcdsaSha256,
                    "P-384" => SecurityAlgorithms.EcdsaSha384,
                    "P-521" => SecurityAlgorithms.EcdsaSha512,
                    _ => null,
                };
                if (fitting is null)
                {
                    throw new SigningKeyException(PrivateKeyLoader.PrivateKeyField, "is an EC key on a curve JWS does not sign with; use P-256, P-384 or P-521");
                }

                if (fitting != algorithm)
                {
                    throw new SigningKeyException(AlgorithmField, $"{algorithm} does not fit an EC {curve} key; use {fitting}");
                }

                return;
            default:
                throw new SigningKeyException(PrivateKeyLoader.PrivateKeyField, "is neither an RSA nor an EC key");
        }
    }

    /// <summary>The JOSE name of the key's curve (<c>P-256</c>…), or null for another curve.</summary>
    public static string? CurveName(ECDsa key)
    {
        var oid = key.ExportParameters(false).Curve.Oid;
        return (oid.Value, oid.FriendlyName) switch
        {
            ("1.2.840.10045.3.1.7", _) or (_, "nistP256" or "ECDSA_P256") => "P-256",
            ("1.3.132.0.34", _) or (_, "nistP384" or "ECDSA_P384") => "P-384",
            ("1.3.132.0.35", _) or (_, "nistP521" or "ECDSA_P521") => "P-521",
            _ => null,
        };
    }
}
