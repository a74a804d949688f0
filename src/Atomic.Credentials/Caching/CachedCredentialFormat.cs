using System.Buffers.Binary;
using System.Text;

namespace Atomic.Credentials.Caching;

/// <summary>
/// The bytes a <see cref="CachedCredential"/> becomes in a shared cache: what a handler needs to
/// serve it and nothing more — the value and its two instants. No name, no options, no secret.
/// </summary>
/// <remarks>Layout: version (1 byte), expiry and refresh as UTC ticks (8 bytes each, 0 = none), value in UTF-8.</remarks>
internal static class CachedCredentialFormat
{
    private const byte Version = 1;
    private const int HeaderLength = 17;

    public static byte[] Write(CachedCredential entry)
    {
        var bytes = new byte[HeaderLength + Encoding.UTF8.GetByteCount(entry.Value)];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), entry.ExpiresAt.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(9), entry.RefreshAt?.UtcTicks ?? 0);
        Encoding.UTF8.GetBytes(entry.Value, bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Reads an entry; null for bytes of another version or shape (they are then treated as a miss).</summary>
    public static CachedCredential? Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength || bytes[0] != Version)
        {
            return null;
        }

        var expires = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var refresh = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (expires is <= 0 or > 3155378975999999999 || refresh is < 0 or > 3155378975999999999 || (refresh != 0 && refresh > expires))
        {
            return null;
        }

        return new CachedCredential(
            Encoding.UTF8.GetString(bytes[HeaderLength..]),
            new DateTimeOffset(expires, TimeSpan.Zero),
            refresh == 0 ? null : new DateTimeOffset(refresh, TimeSpan.Zero));
    }
}
