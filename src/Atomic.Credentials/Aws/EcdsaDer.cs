using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// ECDSA P-256 signatures over SHA-256 as SigV4a sends them: DER, <c>SEQUENCE { INTEGER r, INTEGER s }</c>.
/// The key signs in the fixed r‖s form and the DER is written here, into the caller's span: the BCL's own
/// DER form goes through its ASN.1 writer and allocates about 1.4 KB a signature, this about 150 bytes.
/// </summary>
internal static class EcdsaDer
{
    /// <summary>The longest P-256 DER signature: 2 + two INTEGERs of 2 + 33 bytes.</summary>
    public const int MaxLength = 72;

    private const int FieldLength = 32;

    /// <summary>Signs the SHA-256 of <paramref name="data"/>, writes the DER signature, returns its length.</summary>
    public static int Sign(ECDsa key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> fixedForm = stackalloc byte[FieldLength * 2];
        if (!key.TrySignData(data, fixedForm, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written)
            || written != fixedForm.Length)
        {
            throw new CryptographicException("The SigV4a signature is not a P-256 signature.");
        }

        return Encode(fixedForm[..FieldLength], fixedForm[FieldLength..], destination);
    }

    /// <summary>Writes <c>SEQUENCE { INTEGER r, INTEGER s }</c> of two unsigned big-endian values; returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, Span<byte> destination)
    {
        // Each INTEGER holds at most 33 bytes, so the contents (at most 70) take the one-byte length form.
        var at = 2;
        at += WriteInteger(r, destination[at..]);
        at += WriteInteger(s, destination[at..]);
        destination[0] = 0x30;
        destination[1] = (byte)(at - 2);
        return at;
    }

    // DER's INTEGER is the shortest two's complement: leading zero bytes dropped (one kept for zero), and a
    // zero byte put back in front when the first byte's top bit is set, so an unsigned value stays positive.
    private static int WriteInteger(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        var digits = value[start..];
        var sign = digits[0] >= 0x80 ? 1 : 0;
        destination[0] = 0x02;
        destination[1] = (byte)(sign + digits.Length);
        destination[2] = 0;
        digits.CopyTo(destination[(2 + sign)..]);
        return 2 + sign + digits.Length;
    }
}
