using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// Signs the chunks of one aws-chunked body, each from the previous signature (the first from the
/// seed signature of the headers): the signature of <c>algorithm "-PAYLOAD\n" date-time "\n" scope
/// "\n" previous "\n" hash("") "\n" hash(chunk)</c>. SigV4: HMAC with kSigning, 64 hex characters.
/// SigV4a: ECDSA P-256 with the derived key, DER as hex; its length varies (at most 144 characters,
/// usually 140 to 144, shorter when r or s happens to start with zero bytes),
/// so on the wire it is padded with <c>'*'</c> to a fixed 144 (the length is then known up front),
/// while the next chunk chains from the unpadded hex, as aws-c-auth and the AWS SDKs do.
/// One string-to-sign buffer, reused for every chunk; the hashes are the signer's reused ones.
/// </summary>
internal sealed class AwsChunkSigner
{
    /// <summary>A SigV4 chunk signature: 32 HMAC bytes as hex.</summary>
    public const int HmacWidth = 64;

    /// <summary>A SigV4a chunk signature's field: the longest DER P-256 signature (72 bytes) as hex.</summary>
    public const int EcdsaWidth = SigV4aSigning.MaxSignatureLength * 2;

    private const byte Padding = (byte)'*';
    private const int HashHex = 64;

    private readonly byte[]? key;
    private readonly ECDsa? ecdsa;
    private readonly byte[] toSign;
    private readonly int previousAt;
    private int previousLength;

    /// <param name="key">kSigning of the request's day.</param>
    /// <param name="dateTime">The request's <c>X-Amz-Date</c>.</param>
    /// <param name="scope"><c>date/region/service/aws4_request</c>.</param>
    /// <param name="seedSignature">The hex signature of the headers.</param>
    public AwsChunkSigner(byte[] key, ReadOnlySpan<byte> dateTime, ReadOnlySpan<byte> scope, ReadOnlySpan<char> seedSignature)
        : this("AWS4-HMAC-SHA256-PAYLOAD\n"u8, dateTime, scope, seedSignature) => this.key = key;

    /// <param name="key">The SigV4a key derived from the request's credentials.</param>
    /// <param name="dateTime">The request's <c>X-Amz-Date</c>.</param>
    /// <param name="scope"><c>date/service/aws4_request</c> (SigV4a's scope has no region).</param>
    /// <param name="seedSignature">The hex signature of the headers.</param>
    public AwsChunkSigner(ECDsa key, ReadOnlySpan<byte> dateTime, ReadOnlySpan<byte> scope, ReadOnlySpan<char> seedSignature)
        : this("AWS4-ECDSA-P256-SHA256-PAYLOAD\n"u8, dateTime, scope, seedSignature) => ecdsa = key;

    private AwsChunkSigner(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> dateTime, ReadOnlySpan<byte> scope, ReadOnlySpan<char> seedSignature)
    {
        toSign = new byte[prefix.Length + dateTime.Length + 1 + scope.Length + 1 + EcdsaWidth + 1 + HashHex + 1 + HashHex];
        var at = 0;
        Put(prefix, ref at);
        Put(dateTime, ref at);
        toSign[at++] = (byte)'\n';
        Put(scope, ref at);
        toSign[at++] = (byte)'\n';
        previousAt = at;
        for (var i = 0; i < seedSignature.Length; i++)
        {
            toSign[at + i] = (byte)seedSignature[i];
        }

        PreviousIs(seedSignature.Length);
    }

    /// <summary>
    /// Signs the next chunk (empty for the final one) and writes its hex signature into
    /// <paramref name="field"/>, padded with <c>'*'</c> to the field's length; the next chunk chains from it.
    /// </summary>
    public void Sign(ReadOnlySpan<byte> chunk, Span<byte> field)
    {
        Span<byte> digest = stackalloc byte[SigV4aSigning.MaxSignatureLength];
        ReusedHashes.Sha256(chunk, digest);
        var hashAt = previousAt + previousLength + 1 + HashHex + 1;
        Convert.TryToHexStringLower(digest[..32], toSign.AsSpan(hashAt), out _);
        var message = toSign.AsSpan(0, hashAt + HashHex);
        if (ecdsa is null)
        {
            ReusedHashes.HmacSha256(key!, message, digest);
            Convert.TryToHexStringLower(digest[..32], toSign.AsSpan(previousAt, HmacWidth), out _);
        }
        else
        {
            var written = EcdsaDer.Sign(ecdsa, message, digest);
            Convert.TryToHexStringLower(digest[..written], toSign.AsSpan(previousAt, written * 2), out _);
            PreviousIs(written * 2);
        }

        var previous = toSign.AsSpan(previousAt, previousLength);
        previous.CopyTo(field);
        field[previous.Length..].Fill(Padding);
    }

    // The previous signature now takes `length` characters: "\n" hash("") "\n" follow it, then the chunk's hash.
    private void PreviousIs(int length)
    {
        if (length == previousLength)
        {
            return;
        }

        previousLength = length;
        var at = previousAt + length;
        toSign[at++] = (byte)'\n';
        Put("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"u8, ref at);
    }

    private void Put(ReadOnlySpan<byte> value, ref int at)
    {
        value.CopyTo(toSign.AsSpan(at));
        at += value.Length;
    }
}
