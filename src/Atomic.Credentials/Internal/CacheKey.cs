using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.Internal;

/// <summary>
/// Cache keys: the kind and name in clear, then a SHA-256 over everything that identifies the
/// material, secrets included, so a rotated secret is a new key and no secret is ever readable.
/// </summary>
internal static class CacheKey
{
    public static string Create(string kind, string credentialName, params ReadOnlySpan<string?> parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            // Length-prefixed, so ("ab", "c") and ("a", "bc") never collide; null differs from "".
            var bytes = part is null ? [] : Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, part is null ? -1 : bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return $"atomic:{kind}:{credentialName}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }
}
