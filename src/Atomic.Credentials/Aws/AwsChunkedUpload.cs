namespace Atomic.Credentials;

/// <summary>
/// When a body is sent as signed chunks (<c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>, with SigV4a
/// <c>STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD</c>; <c>Content-Encoding: aws-chunked</c>):
/// read once, each chunk signed as it goes, in memory bounded by <see cref="AwsSignedRequestOptions.ChunkSize"/>.
/// Header mode only (a presigned URL does not stream); the body's length must be known (<c>Content-Length</c>).
/// </summary>
public enum AwsChunkedUpload
{
    /// <summary>Only a body that cannot be rewound is chunked; seekable bodies are hashed and rewound as before.</summary>
    WhenNotSeekable = 0,

    /// <summary>Never: a body that cannot be rewound is refused (unless its payload is unsigned).</summary>
    Never = 1,

    /// <summary>Every signed body of known length is chunked, seekable or not (read once instead of twice).</summary>
    Always = 2,
}
