namespace Atomic.Credentials;

/// <summary>
/// AWS Signature Version 4 (<c>Type: "AwsSignedRequest"</c>): each request is signed for a
/// service and region with an access key, or with AWS's default credential chain when
/// <see cref="AccessKeyId"/> is left out.
/// </summary>
public sealed class AwsSignedRequestOptions : CredentialOptions
{
    internal const string KindName = "AwsSignedRequest";

    /// <summary>The longest validity AWS accepts for a presigned request: 7 days.</summary>
    internal static readonly TimeSpan MaxExpires = TimeSpan.FromDays(7);

    /// <summary>
    /// The access key ID. Left out (with <see cref="SecretAccessKey"/>), credentials come from
    /// AWS's default chain through AWSSDK.Core: environment, profile, SSO, container and instance
    /// roles, read again at each signature so refreshed credentials are used as they rotate.
    /// </summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret access key; required with <see cref="AccessKeyId"/>.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>The session token of temporary (STS) credentials, sent as <c>X-Amz-Security-Token</c>.</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// The signing name of the service (<c>s3</c>, <c>execute-api</c>, <c>es</c>…), put into the
    /// credential scope exactly as entered. The S3 family signs paths as S3 does (no normalization,
    /// single encoding, <c>x-amz-content-sha256</c> always); every other service gets normalized,
    /// double-encoded paths.
    /// </summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>
    /// The signing region (<c>eu-west-1</c>), put into the credential scope exactly as entered.
    /// Required with SigV4; not used by SigV4a (see <see cref="RegionSet"/>).
    /// </summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>
    /// The signature: <see cref="AwsSigningAlgorithm.SigV4"/> (default) or <see cref="AwsSigningAlgorithm.SigV4a"/>
    /// (ECDSA P-256, valid in every region of <see cref="RegionSet"/>; the key is derived from the secret key).
    /// </summary>
    public AwsSigningAlgorithm SigningAlgorithm { get; set; } = AwsSigningAlgorithm.SigV4;

    /// <summary>
    /// With SigV4a, the regions the signature is valid in (<c>["*"]</c> for all, or
    /// <c>["us-east-1", "eu-west-1"]</c>), sent comma-joined as <c>X-Amz-Region-Set</c>. Required with SigV4a.
    /// </summary>
    public IList<string> RegionSet { get; set; } = [];

    /// <summary>
    /// Signs the query (a presigned URL: <c>X-Amz-Algorithm</c>, <c>-Credential</c>, <c>-Date</c>,
    /// <c>-Expires</c>, <c>-SignedHeaders</c>, <c>-Security-Token</c>, <c>-Signature</c>) instead of
    /// adding an <c>Authorization</c> header.
    /// </summary>
    public bool SignQuery { get; set; }

    /// <summary>How long a query-signed request stays valid (<c>X-Amz-Expires</c>); at most 7 days. Default 15 minutes.</summary>
    public TimeSpan Expires { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether the body is hashed into the signature. <see cref="AwsPayloadSigning.Unsigned"/>
    /// sends <c>UNSIGNED-PAYLOAD</c> over https (S3 accepts it), so the body is never read twice;
    /// over plain http the body is always hashed, as AWS requires.
    /// </summary>
    public AwsPayloadSigning PayloadSigning { get; set; } = AwsPayloadSigning.Signed;

    /// <summary>
    /// When a signed body is sent as aws-chunked signed chunks (<c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>, or
    /// <c>STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD</c> with SigV4a),
    /// read once in memory bounded by <see cref="ChunkSize"/>. Default <see cref="AwsChunkedUpload.WhenNotSeekable"/>:
    /// only a body that cannot be rewound and whose length is known (<c>Content-Length</c>) is chunked;
    /// seekable bodies are hashed and rewound as before. Header mode only.
    /// </summary>
    public AwsChunkedUpload ChunkedUpload { get; set; } = AwsChunkedUpload.WhenNotSeekable;

    /// <summary>
    /// The size in bytes of each aws-chunked chunk but the last: at least 8 KiB (8192, S3's minimum),
    /// at most 16 MiB. Default 64 KiB. One chunk is all an upload holds in memory.
    /// </summary>
    public int ChunkSize { get; set; } = DefaultChunkSize;

    /// <summary>
    /// How a chunked body is protected: <see cref="AwsStreamingPayload.SignedChunks"/> (default), or
    /// <see cref="AwsStreamingPayload.UnsignedWithChecksumTrailer"/> over https (chunks unsigned, a
    /// checksum trailer, as the AWS SDKs upload).
    /// </summary>
    public AwsStreamingPayload StreamingPayload { get; set; } = AwsStreamingPayload.SignedChunks;

    /// <summary>The trailer's checksum with <see cref="AwsStreamingPayload.UnsignedWithChecksumTrailer"/>: CRC32 (default), CRC32C or SHA-256.</summary>
    public AwsTrailerChecksum TrailerChecksum { get; set; } = AwsTrailerChecksum.Crc32;

    internal const int DefaultChunkSize = 64 * 1024;
    internal const int MinChunkSize = 8 * 1024;
    internal const int MaxChunkSize = 16 * 1024 * 1024;

    internal override string Kind => KindName;
}
