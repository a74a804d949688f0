namespace Atomic.Credentials.Aws;

/// <summary>SigV4's dates, written straight into the signature's buffers: <c>20150830</c> and <c>20150830T123600Z</c> (UTC).</summary>
internal static class AmzDate
{
    public static void AppendDate8(ref PooledBytes output, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        Digits(ref output, utc.Year, 4);
        Digits(ref output, utc.Month, 2);
        Digits(ref output, utc.Day, 2);
    }

    public static void AppendDateTime(ref PooledBytes output, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        AppendDate8(ref output, now);
        output.Append((byte)'T');
        Digits(ref output, utc.Hour, 2);
        Digits(ref output, utc.Minute, 2);
        Digits(ref output, utc.Second, 2);
        output.Append((byte)'Z');
    }

    private static void Digits(ref PooledBytes output, int value, int width)
    {
        Span<byte> digits = stackalloc byte[4];
        for (var i = width - 1; i >= 0; i--)
        {
            digits[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        output.Append(digits[..width]);
    }
}
