namespace Atomic.Credentials;

/// <summary>How a body sent in aws-chunked chunks (see <see cref="AwsChunkedUpload"/>) is protected.</summary>
public enum AwsStreamingPayload
{
    /// <summary>
    /// <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c> (SigV4) or <c>STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD</c> (SigV4a):
    /// every chunk signed, chained from the headers' signature.
    /// </summary>
    SignedChunks = 0,

    /// <summary>
    /// <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c> over https, as the AWS SDKs send uploads: chunks unsigned
    /// (TLS protects them), the body's checksum (<see cref="AwsSignedRequestOptions.TrailerChecksum"/>) sent
    /// as a trailer that S3 checks. Over plain http the chunks are signed all the same.
    /// </summary>
    UnsignedWithChecksumTrailer = 1,
}

/// <summary>The checksum of a body sent with <see cref="AwsStreamingPayload.UnsignedWithChecksumTrailer"/>.</summary>
public enum AwsTrailerChecksum
{
    /// <summary><c>x-amz-checksum-crc32</c> (System.IO.Hashing).</summary>
    Crc32 = 0,

    /// <summary><c>x-amz-checksum-sha256</c> (BCL SHA-256).</summary>
    Sha256 = 1,

    /// <summary><c>x-amz-checksum-crc32c</c> (Castagnoli polynomial; System.IO.Hashing's <c>Crc32ParameterSet.Crc32C</c>).</summary>
    Crc32c = 2,
}
