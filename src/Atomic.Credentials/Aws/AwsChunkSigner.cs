namespace Atomic.Credentials.Aws;

/// <summary>
/// Signs the chunks of one aws-chunked body, each from the previous signature (the first from the
/// seed signature of the headers): HMAC(kSigning, "AWS4-HMAC-SHA256-PAYLOAD\n" date-time "\n" scope
/// "\n" previous "\n" hash("") "\n" hash(chunk)). One string-to-sign buffer, reused for every chunk;
/// the hashes are the signer's reused ones (a one-shot call sets up a platform context each time).
/// </summary>
internal sealed class AwsChunkSigner
{
    private const int HexLength = 64;

    private readonly byte[] key;
    private readonly byte[] toSign;
    private readonly int previousAt;

    /// <param name="key">kSigning of the request's day.</param>
    /// <param name="dateTime">The request's <c>X-Amz-Date</c>.</param>
    /// <param name="scope"><c>date/region/service/aws4_request</c>.</param>
    /// <param name="seedSignature">The hex signature of the headers.</param>
    public AwsChunkSigner(byte[] key, ReadOnlySpan<byte> dateTime, ReadOnlySpan<byte> scope, ReadOnlySpan<char> seedSignature)
    {
        this.key = key;
        var prefix = "AWS4-HMAC-SHA256-PAYLOAD\n"u8;
        toSign = new byte[prefix.Length + dateTime.Length + 1 + scope.Length + 1 + ((HexLength + 1) * 2) + HexLength];
        var at = 0;
        Put(prefix, ref at);
        Put(dateTime, ref at);
        toSign[at++] = (byte)'\n';
        Put(scope, ref at);
        toSign[at++] = (byte)'\n';
        previousAt = at;
        for (var i = 0; i < HexLength; i++)
        {
            toSign[at + i] = (byte)seedSignature[i];
        }

        at += HexLength;
        toSign[at++] = (byte)'\n';
        Put("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"u8, ref at);
    }

    /// <summary>Signs the next chunk (empty for the final one) and writes its hex signature, which the next chunk chains from.</summary>
    public void Sign(ReadOnlySpan<byte> chunk, Span<byte> hexSignature)
    {
        Span<byte> digest = stackalloc byte[32];
        ReusedHashes.Sha256(chunk, digest);
        var hashAt = toSign.Length - HexLength;
        Convert.TryToHexStringLower(digest, toSign.AsSpan(hashAt), out _);
        ReusedHashes.HmacSha256(key, toSign, digest);
        var previous = toSign.AsSpan(previousAt, HexLength);
        Convert.TryToHexStringLower(digest, previous, out _);
        previous.CopyTo(hexSignature);
    }

    private void Put(ReadOnlySpan<byte> value, ref int at)
    {
        value.CopyTo(toSign.AsSpan(at));
        at += value.Length;
    }
}
