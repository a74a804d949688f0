using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The two hashes every signature computes, on hash objects each thread keeps: a one-shot call
/// sets up (and tears down) the platform's hash context every time, which for inputs of a few
/// hundred bytes costs as much as the hashing. The HMAC keeps its key too: the signing key stays
/// the same all day.
/// </summary>
internal static class ReusedHashes
{
    [ThreadStatic]
    private static IncrementalHash? sha256;

    [ThreadStatic]
    private static KeyedSlot? hmac;

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hash = sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    public static void HmacSha256(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var current = hmac;
        if (current is null || !ReferenceEquals(current.Key, key))
        {
            // The new HMAC is made before the old one is disposed: if making it throws, the slot still
            // holds a live object, never a disposed one.
            var previous = current;
            current = new KeyedSlot(key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
            hmac = current;
            previous?.Hmac.Dispose();
        }

        current.Hmac.AppendData(data);
        current.Hmac.GetHashAndReset(destination);
    }

    private sealed record KeyedSlot(byte[] Key, IncrementalHash Hmac);
}
