using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atomic.Credentials.Caching;

namespace Atomic.Credentials.Store;

/// <summary>
/// What a row's <see cref="StoredCredential.ProtectedSecrets"/> holds: the secret fields, sealed by
/// the <see cref="ICredentialProtector"/> together with the row's name, kind and a hash of its public
/// fields. Ciphertext copied onto another name, or a public field changed behind the store's back
/// (say <c>IdentityUrl</c>, to send the secret elsewhere), no longer opens.
/// </summary>
internal static class SecretEnvelope
{
    public const string Unreadable = "could not be decrypted: the protector's keys do not match or the row was altered. Save the credential again.";

    private const int FormatVersion = 1;

    public static byte[] Seal(ICredentialProtector protector, string name, string type, string publicFields, byte[] secrets)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("n", name);
            writer.WriteString("t", type);
            writer.WriteBase64String("p", Hash(publicFields));
            writer.WritePropertyName("s");
            writer.WriteRawValue(secrets, skipInputValidation: true);
            writer.WriteEndObject();
        }

        var plaintext = buffer.ToArray();
        try
        {
            return protector.Protect(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        }
    }

    /// <summary>The secret fields of <paramref name="row"/>, a JSON object; throws when the row does not open as its own.</summary>
    public static JsonElement Open(ICredentialProtector protector, StoredCredential row)
    {
        byte[] plaintext;
        try
        {
            plaintext = protector.Unprotect(row.ProtectedSecrets);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The protector's exception says which key is missing; it never holds the plaintext.
            throw new CredentialException(row.Name, row.Type, Unreadable, exception);
        }

        try
        {
            using var document = JsonDocument.Parse(plaintext);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("v", out var version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() == FormatVersion
                && root.TryGetProperty("n", out var name) && name.ValueEquals(row.Name)
                && root.TryGetProperty("t", out var type) && type.ValueEquals(row.Type)
                && root.TryGetProperty("p", out var hash) && hash.ValueKind == JsonValueKind.String
                && CryptographicOperations.FixedTimeEquals(hash.GetBytesFromBase64(), Hash(row.PublicFields))
                && root.TryGetProperty("s", out var secrets) && secrets.ValueKind == JsonValueKind.Object)
            {
                return secrets.Clone();
            }
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            // Not chained: a JSON error quotes the text around it, which is secret.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        throw new CredentialException(row.Name, row.Type, Unreadable);
    }

    private static byte[] Hash(string publicFields) => SHA256.HashData(Encoding.UTF8.GetBytes(publicFields));
}
