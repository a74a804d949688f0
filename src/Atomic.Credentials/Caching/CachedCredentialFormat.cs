using System.Buffers.Binary;
using System.Text;

namespace Atomic.Credentials.Caching;

/// <summary>
/// The bytes a <see cref="CachedCredential"/> becomes in a shared cache: what a handler needs to
/// serve it and nothing more — the value, its two instants and its properties (an instance URL).
/// No name, no options, no secret.
/// </summary>
/// <remarks>
/// Layout: version (1 byte), expiry and refresh as UTC ticks (8 bytes each, 0 = none), then in
/// version 1 the value in UTF-8 to the end; in version 2 (written when there are properties) the
/// value and each property's name and value as a 4-byte length and UTF-8. Both are read.
/// </remarks>
internal static class CachedCredentialFormat
{
    private const byte PlainVersion = 1;
    private const byte WithPropertiesVersion = 2;
    private const int HeaderLength = 17;
    private const long MaxTicks = 3155378975999999999;

    public static byte[] Write(CachedCredential entry)
    {
        var plain = entry.Properties.Count == 0;
        var length = HeaderLength + (plain ? 0 : 4) + Encoding.UTF8.GetByteCount(entry.Value);
        foreach (var (key, value) in entry.Properties)
        {
            length += 8 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        var bytes = new byte[length];
        bytes[0] = plain ? PlainVersion : WithPropertiesVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), entry.ExpiresAt.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(9), entry.RefreshAt?.UtcTicks ?? 0);
        if (plain)
        {
            Encoding.UTF8.GetBytes(entry.Value, bytes.AsSpan(HeaderLength));
            return bytes;
        }

        var position = WriteString(bytes, HeaderLength, entry.Value);
        foreach (var (key, value) in entry.Properties)
        {
            position = WriteString(bytes, position, key);
            position = WriteString(bytes, position, value);
        }

        return bytes;
    }

    /// <summary>Reads an entry; null for bytes of another version or shape (they are then treated as a miss).</summary>
    public static CachedCredential? Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderLength || bytes[0] is not (PlainVersion or WithPropertiesVersion))
        {
            return null;
        }

        var expires = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var refresh = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (expires is <= 0 or > MaxTicks || refresh is < 0 or > MaxTicks || (refresh != 0 && refresh > expires))
        {
            return null;
        }

        var expiresAt = new DateTimeOffset(expires, TimeSpan.Zero);
        DateTimeOffset? refreshAt = refresh == 0 ? null : new DateTimeOffset(refresh, TimeSpan.Zero);
        if (bytes[0] == PlainVersion)
        {
            return new CachedCredential(Encoding.UTF8.GetString(bytes[HeaderLength..]), expiresAt, refreshAt);
        }

        var rest = bytes[HeaderLength..];
        if (!TryReadString(ref rest, out var value))
        {
            return null;
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rest.Length > 0)
        {
            if (!TryReadString(ref rest, out var key) || !TryReadString(ref rest, out var property) || !properties.TryAdd(key, property))
            {
                return null;
            }
        }

        return new CachedCredential(value, expiresAt, refreshAt, properties);
    }

    private static int WriteString(byte[] bytes, int position, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, bytes.AsSpan(position + 4));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(position), length);
        return position + 4 + length;
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> rest, out string text)
    {
        text = string.Empty;
        if (rest.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(rest);
        if (length < 0 || length > rest.Length - 4)
        {
            return false;
        }

        text = Encoding.UTF8.GetString(rest.Slice(4, length));
        rest = rest[(4 + length)..];
        return true;
    }
}
