using System.Buffers;
using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// SigV4's URI encoding: every byte but the unreserved ones (<c>A-Z a-z 0-9 - _ . ~</c>) as
/// <c>%XX</c> with upper-case hex, over the UTF-8 bytes of the text. Works on bytes so a
/// percent-decoded sequence is re-encoded exactly, whatever it decodes to.
/// </summary>
internal static class SigV4Encoding
{
    /// <summary>The characters SigV4 never encodes.</summary>
    public const string UnreservedAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";

    private static readonly SearchValues<byte> Unreserved = SearchValues.Create(Encoding.ASCII.GetBytes(UnreservedAlphabet));

    private static readonly SearchValues<char> UnreservedChars = SearchValues.Create(UnreservedAlphabet);

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    public static void AppendEncoded(ref PooledBytes output, byte value)
    {
        if (Unreserved.Contains(value))
        {
            output.Append(value);
            return;
        }

        output.Append((byte)'%');
        output.Append(Hex[value >> 4]);
        output.Append(Hex[value & 0xF]);
    }

    public static void AppendEncoded(ref PooledBytes output, scoped ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var plain = bytes.IndexOfAnyExcept(Unreserved);
            if (plain < 0)
            {
                output.Append(bytes);
                return;
            }

            output.Append(bytes[..plain]);
            AppendEncoded(ref output, bytes[plain]);
            bytes = bytes[(plain + 1)..];
        }
    }

    /// <summary>Encodes text (its UTF-8 bytes) as it is: a '%' becomes <c>%25</c>.</summary>
    public static void AppendEncoded(ref PooledBytes output, scoped ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(utf8);
            AppendEncoded(ref output, utf8[..count]);
        }
    }

    /// <summary>
    /// Percent-decodes <paramref name="text"/> (and, for a query, '+' to a space) and re-encodes
    /// each decoded byte: the canonical form of what the server decodes from the wire.
    /// </summary>
    public static void AppendReencoded(ref PooledBytes output, scoped ReadOnlySpan<char> text, bool plusIsSpace)
    {
        for (var i = 0; i < text.Length; i++)
        {
            // A run of unreserved characters stays as it is: copied at once.
            var run = text[i..].IndexOfAnyExcept(UnreservedChars);
            if (run != 0)
            {
                if (run < 0)
                {
                    output.Append(text[i..]);
                    return;
                }

                output.Append(text.Slice(i, run));
                i += run;
            }

            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                AppendEncoded(ref output, (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                AppendEncoded(ref output, (byte)' ');
            }
            else if (c < 0x80)
            {
                AppendEncoded(ref output, (byte)c);
            }
            else
            {
                // A raw non-ASCII character (paths built without Uri's escaping): its UTF-8 bytes.
                var end = i + 1;
                while (end < text.Length && text[end] >= 0x80)
                {
                    end++;
                }

                AppendEncoded(ref output, text[i..end]);
                i = end - 1;
            }
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
