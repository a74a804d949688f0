using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Aws;

/// <summary>What signing derives once from one options instance; a reload brings a new one (and a new key cache).</summary>
internal sealed class AwsSigningState(AwsSignedRequestOptions options) : CredentialState(options)
{
    public SigV4Signer Signer { get; } = options.SigningAlgorithm == AwsSigningAlgorithm.SigV4a
        ? new(string.Empty, options.Service, new SigV4aSigning(options.RegionSet))
        : new(options.Region, options.Service);

    public AwsCredentialSource Credentials { get; } = AwsCredentialSource.For(options);

    public bool SignQuery { get; } = options.SignQuery;

    public long ExpiresSeconds { get; } = (long)options.Expires.TotalSeconds;

    public bool UnsignedPayload { get; } = options.PayloadSigning == AwsPayloadSigning.Unsigned;

    public AwsChunkedUpload ChunkedUpload { get; } = options.ChunkedUpload;

    public int ChunkSize { get; } = options.ChunkSize;

    public bool ChecksumTrailer { get; } = options.StreamingPayload == AwsStreamingPayload.UnsignedWithChecksumTrailer;

    public AwsTrailerChecksum TrailerChecksum { get; } = options.TrailerChecksum;
}
