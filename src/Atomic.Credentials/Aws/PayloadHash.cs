using System.Buffers;
using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The hex SHA-256 of a request body, read as a stream in pooled blocks and rewound to where it
/// was, so a 1 GiB file is never held in memory.
/// </summary>
internal static class PayloadHash
{
    public const string Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string Unsigned = "UNSIGNED-PAYLOAD";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingEcdsaSigned = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private const int BlockSize = 128 * 1024;

    /// <summary>The hash of a seekable body's <paramref name="stream"/>, rewound to where it was.</summary>
    public static async ValueTask<string> ComputeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var start = stream.Position;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(block.AsMemory(0, BlockSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(block, 0, read);
            }
        }
        finally
        {
            stream.Position = start;
            ArrayPool<byte>.Shared.Return(block);
        }

        return Hex(hash);
    }

    private static string Hex(IncrementalHash hash)
    {
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
