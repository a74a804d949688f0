using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The SigV4a private key: an ECDSA P-256 key derived from an access key id and its secret (the
/// NIST SP 800-108 KDF in counter mode with HMAC-SHA256, as AWS specifies it). It depends on
/// neither date nor region, so one derivation serves every signature until the keys rotate.
/// Never logged, never printed.
/// </summary>
internal sealed class SigV4aKey
{
    private const string Label = "AWS4-ECDSA-P256-SHA256";

    // The curve's order n, minus 2: a candidate above it is discarded (d = candidate + 1 must stay below n).
    private static ReadOnlySpan<byte> OrderMinusTwo =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x4F,
    ];

    // AWS's own signers give up after this counter; reaching it has a probability of about 2^-8128.
    private const int MaxCounter = 254;

    private SigV4aKey(string accessKeyId, string secret, ECDsa key)
    {
        AccessKeyId = accessKeyId;
        Secret = secret;
        Key = key;
    }

    public string AccessKeyId { get; }

    public string Secret { get; }

    /// <summary>The private key; shared by concurrent signatures (signing does not change it).</summary>
    public ECDsa Key { get; }

    public bool IsFor(in AwsKeys keys) =>
        string.Equals(AccessKeyId, keys.AccessKeyId, StringComparison.Ordinal) && string.Equals(Secret, keys.SecretAccessKey, StringComparison.Ordinal);

    public override string ToString() => "SigV4aKey(hidden)";

    public static SigV4aKey Derive(in AwsKeys keys)
    {
        var secret = new PooledBytes(Encoding.UTF8.GetMaxByteCount(keys.SecretAccessKey.Length) + 5);
        var input = new PooledBytes(Encoding.UTF8.GetMaxByteCount(keys.AccessKeyId.Length) + 32);
        Span<byte> candidate = stackalloc byte[32];
        try
        {
            secret.Append("AWS4A"u8);
            secret.Append(keys.SecretAccessKey.AsSpan());

            // 0x00000001 || label || 0x00 || access key id || counter || 0x00000100 (256 bits out).
            input.Append("\0\0\0\x01"u8);
            input.Append(Label.AsSpan());
            input.Append((byte)0);
            input.Append(keys.AccessKeyId.AsSpan());
            var counterAt = input.Length;
            input.Append((byte)1);
            input.Append("\0\0\x01\0"u8);

            for (var counter = 1; counter <= MaxCounter; counter++)
            {
                input.Buffer[counterAt] = (byte)counter;
                HMACSHA256.HashData(secret.Written, input.Written, candidate);
                if (!IsGreater(candidate, OrderMinusTwo))
                {
                    AddOne(candidate);
                    return new SigV4aKey(keys.AccessKeyId, keys.SecretAccessKey, Import(candidate));
                }
            }

            throw new CryptographicException("No SigV4a key could be derived from these credentials.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret.Buffer.AsSpan(0, secret.Length));
            CryptographicOperations.ZeroMemory(candidate);
            secret.Dispose();
            input.Dispose();
        }
    }

    private static ECDsa Import(ReadOnlySpan<byte> privateKey)
    {
        var d = privateKey.ToArray();
        try
        {
            // The public point is computed from D on import.
            return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    // Big-endian, same length; the loop runs over every byte whatever the values, so its time says nothing about the key.
    private static bool IsGreater(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        int greater = 0, equal = 1;
        for (var i = 0; i < left.Length; i++)
        {
            int l = left[i], r = right[i];
            greater |= ((r - l) >> 31) & equal;
            equal &= ((l ^ r) - 1) >> 31;
        }

        return (greater & 1) == 1;
    }

    private static void AddOne(Span<byte> value)
    {
        var carry = 1;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var sum = value[i] + carry;
            value[i] = (byte)sum;
            carry = sum >> 8;
        }
    }
}
