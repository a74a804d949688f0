using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// HMAC-SHA256 with a signing key that stays the same all day: one keyed hash per thread is
/// reused, so each signature skips the key setup a one-shot HMAC repeats (about half its cost).
/// </summary>
internal static class KeyedHmac
{
    [ThreadStatic]
    private static Slot? slot;

    public static void Compute(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var current = slot;
        if (current is null || !ReferenceEquals(current.Key, key))
        {
            current?.Hmac.Dispose();
            current = new Slot(key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
            slot = current;
        }

        current.Hmac.AppendData(data);
        current.Hmac.GetHashAndReset(destination);
    }

    private sealed record Slot(byte[] Key, IncrementalHash Hmac);
}
