using System.Security.Cryptography;

namespace Atomic.Credentials.Tests.KeyPair;

/// <summary>Keys made once per test run and written in every PEM form users paste.</summary>
internal static class TestKeys
{
    public const string Passphrase = "correct horse battery staple";

    private static readonly Lazy<RSA> Rsa = new(() => RSA.Create(2048));
    private static readonly Lazy<ECDsa> P256 = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private static readonly Lazy<ECDsa> P384 = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP384));
    private static readonly Lazy<ECDsa> P521 = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP521));

    public static RSA RsaKey => Rsa.Value;

    public static AsymmetricAlgorithm For(string algorithm) => algorithm[..2] switch
    {
        "RS" or "PS" => Rsa.Value,
        _ => algorithm[2..] switch { "256" => P256.Value, "384" => P384.Value, _ => P521.Value },
    };

    /// <summary>PKCS#8 (<c>BEGIN PRIVATE KEY</c>).</summary>
    public static string Pkcs8(string algorithm) => For(algorithm).ExportPkcs8PrivateKeyPem();

    /// <summary>PKCS#1 for RSA, SEC1 for EC: the "traditional" forms.</summary>
    public static string Traditional(string algorithm) => For(algorithm) switch
    {
        RSA rsa => rsa.ExportRSAPrivateKeyPem(),
        ECDsa ec => ec.ExportECPrivateKeyPem(),
        _ => throw new InvalidOperationException(),
    };

    public static string EncryptedPkcs8(string algorithm) => For(algorithm).ExportEncryptedPkcs8PrivateKeyPem(
        Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));

    public static string PublicPem(string algorithm) => For(algorithm).ExportSubjectPublicKeyInfoPem();

    /// <summary>The base64 body of a PEM, to prove it never shows up in messages.</summary>
    public static string Body(string pem) =>
        string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));
}
