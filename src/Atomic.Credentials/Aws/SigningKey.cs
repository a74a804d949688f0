using System.Security.Cryptography;
using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
internal sealed class SigningKey(int day, string secret, byte[] key)
{
    public int Day { get; } = day;

    public string Secret { get; } = secret;

    public byte[] Key { get; } = key;

    public static SigningKey Derive(string secret, int day, byte[] region, byte[] service)
    {
        var seed = new PooledBytes(Encoding.UTF8.GetMaxByteCount(secret.Length) + 4);
        Span<byte> step = stackalloc byte[32];
        Span<byte> date8 = stackalloc byte[8];
        try
        {
            seed.Append("AWS4"u8);
            seed.Append(secret.AsSpan());
            day.TryFormat(date8, out _, "D8", System.Globalization.CultureInfo.InvariantCulture);
            HMACSHA256.HashData(seed.Written, date8, step);
            HMACSHA256.HashData(step, region, step);
            HMACSHA256.HashData(step, service, step);
            var signingKey = new byte[32];
            HMACSHA256.HashData(step, "aws4_request"u8, signingKey);
            return new SigningKey(day, secret, signingKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed.Buffer.AsSpan(0, seed.Length));
            CryptographicOperations.ZeroMemory(step);
            seed.Dispose();
        }
    }
}
