using System.Security.Cryptography;

namespace Atomic.Credentials.KeyPair;

/// <summary>
/// Reads a private key in every PEM form users paste: PKCS#8 (<c>BEGIN PRIVATE KEY</c>), encrypted
/// PKCS#8 (<c>BEGIN ENCRYPTED PRIVATE KEY</c>, with a passphrase), PKCS#1 (<c>BEGIN RSA PRIVATE KEY</c>)
/// and SEC1 (<c>BEGIN EC PRIVATE KEY</c>), given as the PEM text itself or as the path of a file.
/// </summary>
/// <remarks>
/// Errors are <see cref="SigningKeyException"/>s that name the field and the problem, never the
/// value: a value that is not PEM may well be a key pasted without its armour, so it is never echoed.
/// </remarks>
internal static class PrivateKeyLoader
{
    public const string PrivateKeyField = "PrivateKey";
    public const string PassphraseField = "Passphrase";

    private const string PemStart = "-----BEGIN ";

    /// <summary>Loads an <see cref="RSA"/> or <see cref="ECDsa"/> private key.</summary>
    public static AsymmetricAlgorithm Load(string pemOrPath, string? passphrase)
    {
        var pem = ReadPem(pemOrPath);
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            rest = rest[fields.Location.End.Value..];
            switch (label)
            {
                case "EC PARAMETERS":
                    // 'openssl ecparam -genkey' writes the curve before the key.
                    continue;
                case "PRIVATE KEY":
                    NotEncrypted(passphrase);
                    return ImportEither(
                        rsa => rsa.ImportPkcs8PrivateKey(der, out _),
                        ec => ec.ImportPkcs8PrivateKey(der, out _),
                        "is a PKCS#8 key that is neither RSA nor EC (P-256, P-384, P-521)");
                case "ENCRYPTED PRIVATE KEY":
                    if (string.IsNullOrEmpty(passphrase))
                    {
                        throw new SigningKeyException(PassphraseField, "is required: the private key is encrypted");
                    }

                    return ImportEither(
                        rsa => rsa.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _),
                        ec => ec.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _),
                        "could not be decrypted: the Passphrase is wrong, or the key is neither RSA nor EC",
                        PassphraseField);
                case "RSA PRIVATE KEY":
                    NotEncrypted(passphrase);
                    return Import(RSA.Create(), rsa => rsa.ImportRSAPrivateKey(der, out _), "is not a valid PKCS#1 RSA private key");
                case "EC PRIVATE KEY":
                    NotEncrypted(passphrase);
                    return Import(ECDsa.Create(), ec => ec.ImportECPrivateKey(der, out _), "is not a valid SEC1 EC private key");
                case "PUBLIC KEY" or "RSA PUBLIC KEY" or "CERTIFICATE":
                    throw new SigningKeyException(
                        PrivateKeyField,
                        $"holds a {label.ToLowerInvariant()}, not a private key: the private key signs here, its public half goes to the system that verifies");
                default:
                    // The label is part of the value, never repeated: the known ones are named above.
                    throw new SigningKeyException(PrivateKeyField, "holds a PEM block that is not a private key this package reads");
            }
        }

        throw new SigningKeyException(
            PrivateKeyField,
            pem.Contains("Proc-Type:", StringComparison.Ordinal)
                ? "is a legacy OpenSSL-encrypted PEM; convert it to encrypted PKCS#8 ('openssl pkcs8 -topk8 -in old.pem -out new.pem')"
                : "is not a well-formed PEM private key ('-----BEGIN PRIVATE KEY-----' … '-----END PRIVATE KEY-----')");
    }

    /// <summary>The PEM text: the value itself, or the content of the file it names.</summary>
    public static string ReadPem(string pemOrPath)
    {
        if (string.IsNullOrWhiteSpace(pemOrPath))
        {
            throw new SigningKeyException(PrivateKeyField, "is required");
        }

        if (pemOrPath.Contains(PemStart, StringComparison.Ordinal))
        {
            // Keys kept in environment variables often arrive with literal "\n" for line breaks.
            return pemOrPath.Replace("\\n", "\n", StringComparison.Ordinal);
        }

        // Not PEM: a path. Never echo the value, which could be a key pasted without its armour.
        try
        {
            if (pemOrPath.Length < 4096 && File.Exists(pemOrPath))
            {
                return File.ReadAllText(pemOrPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SigningKeyException(PrivateKeyField, "names a file that could not be read: " + e.GetType().Name);
        }

        throw new SigningKeyException(PrivateKeyField, "is neither PEM text ('-----BEGIN …') nor the path of an existing file");
    }

    private static void NotEncrypted(string? passphrase)
    {
        if (!string.IsNullOrEmpty(passphrase))
        {
            throw new SigningKeyException(PassphraseField, "is set but the private key is not encrypted; remove it or use an encrypted PKCS#8 key");
        }
    }

    private static AsymmetricAlgorithm ImportEither(
        Action<RSA> importRsa, Action<ECDsa> importEc, string problem, string field = PrivateKeyField)
    {
        var rsa = RSA.Create();
        try
        {
            importRsa(rsa);
            return rsa;
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
        }

        return Import(ECDsa.Create(), importEc, problem, field);
    }

    private static T Import<T>(T key, Action<T> import, string problem, string field = PrivateKeyField)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(key);
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();

            // The inner exception's message comes from the platform's crypto and carries no key bytes.
            throw new SigningKeyException(field, problem, e);
        }
    }
}
