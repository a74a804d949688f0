using Atomic.Credentials.Internal;

namespace Atomic.Credentials.KeyPair;

/// <summary>
/// Validation of the fields every signing key is configured with — <c>PrivateKey</c>,
/// <c>Passphrase</c>, <c>Algorithm</c>, <c>KeyId</c> — shared by the key-pair credential and OAuth's
/// <c>PrivateKeyJwt</c>, so both report the same problems in the same words.
/// </summary>
internal static class SigningKeyFields
{
    public const string KeyIdField = "KeyId";

    /// <summary>Adds a problem per bad field; returns the loaded key when all are good.</summary>
    /// <remarks>Loading proves the key and passphrase work and fit the algorithm; the caller may dispose or keep it.</remarks>
    public static KeyPairSigningKey? Validate(OptionsErrors errors, string? privateKey, string? passphrase, string? algorithm, string? keyId)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var keyIdOk = keyId is null || errors.NoControlCharacters(KeyIdField, keyId);
        string normalized;
        try
        {
            normalized = KeyPairSigningKey.NormalizeAlgorithm(algorithm);
        }
        catch (SigningKeyException e)
        {
            errors.Add(e.Field, e.Problem);
            normalized = string.Empty;
        }

        if (string.IsNullOrWhiteSpace(privateKey))
        {
            errors.Add(PrivateKeyLoader.PrivateKeyField, "is required");
            return null;
        }

        try
        {
            var key = normalized.Length == 0
                ? null
                : KeyPairSigningKey.Load(privateKey, passphrase, normalized, keyId);
            if (key is null)
            {
                // The algorithm is already reported; still report a key that does not load at all.
                PrivateKeyLoader.Load(privateKey, passphrase).Dispose();
            }

            return keyIdOk ? key : null;
        }
        catch (SigningKeyException e)
        {
            errors.Add(e.Field, e.Problem);
            return null;
        }
    }
}
