using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The checksum of an aws-chunked body, computed as its chunks go by and sent as the trailer
/// <c>x-amz-checksum-…:base64\r\n</c>; the digest in network byte order, as S3 computes it.
/// </summary>
internal sealed class ChecksumTrailer : IDisposable
{
    private readonly Crc32? crc;
    private readonly IncrementalHash? sha;

    public ChecksumTrailer(AwsTrailerChecksum algorithm)
    {
        if (algorithm == AwsTrailerChecksum.Sha256)
        {
            sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        else
        {
            crc = algorithm == AwsTrailerChecksum.Crc32c ? new Crc32(Crc32ParameterSet.Crc32C) : new Crc32();
        }

        Name = NameOf(algorithm);
    }

    /// <summary>The trailer's header name, also the value of <c>x-amz-trailer</c>.</summary>
    public string Name { get; }

    /// <summary>The length of the trailer line, <c>name:base64\r\n</c>.</summary>
    public int LineLength => Name.Length + 1 + (sha is null ? 8 : 44) + 2;

    public static string NameOf(AwsTrailerChecksum algorithm) => algorithm switch
    {
        AwsTrailerChecksum.Sha256 => "x-amz-checksum-sha256",
        AwsTrailerChecksum.Crc32c => "x-amz-checksum-crc32c",
        _ => "x-amz-checksum-crc32",
    };

    public void Append(ReadOnlySpan<byte> data)
    {
        crc?.Append(data);
        sha?.AppendData(data);
    }

    /// <summary>Writes <c>name:base64\r\n</c> into <paramref name="destination"/>; returns its length.</summary>
    public int WriteLine(Span<byte> destination)
    {
        Span<byte> digest = stackalloc byte[32];
        int size;
        if (sha is not null)
        {
            size = sha.GetHashAndReset(digest);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest, crc!.GetCurrentHashAsUInt32());
            size = 4;
        }

        var at = System.Text.Encoding.ASCII.GetBytes(Name, destination);
        destination[at++] = (byte)':';
        System.Buffers.Text.Base64.EncodeToUtf8(digest[..size], destination[at..], out _, out var written);
        at += written;
        "\r\n"u8.CopyTo(destination[at..]);
        return at + 2;
    }

    public void Dispose() => sha?.Dispose();
}
