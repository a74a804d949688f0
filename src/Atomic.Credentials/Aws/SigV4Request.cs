namespace Atomic.Credentials.Aws;

/// <summary>
/// What one signature is made of besides the request: the keys, the instant, the payload hash and,
/// in header mode, whether the hash is sent as a header too; in query mode, how long the URL works.
/// The last three members exist for AWS's official test suite alone (the handler leaves them at
/// their defaults): a readonly struct passed by reference, so gathering them costs a signature nothing.
/// </summary>
internal readonly struct SigV4Request(in AwsKeys keys, DateTimeOffset now, string payloadHash)
{
    public AwsKeys Keys { get; } = keys;

    public DateTimeOffset Now { get; } = now;

    /// <summary>The hex SHA-256 of the body, or <c>UNSIGNED-PAYLOAD</c>.</summary>
    public string PayloadHash { get; } = payloadHash;

    /// <summary>Header mode: also send the payload hash as <c>x-amz-content-sha256</c> (S3 requires it).</summary>
    public bool PayloadHashHeader { get; init; }

    /// <summary>Query mode: <c>X-Amz-Expires</c>.</summary>
    public long ExpiresSeconds { get; init; }

    /// <summary>The suite: S3 path rules (no normalization) whatever the service name implies, or the signer's own when null.</summary>
    public bool? S3Rules { get; init; }

    /// <summary>The suite: the session token is added after the signature instead of being signed.</summary>
    public bool SessionTokenUnsigned { get; init; }

    /// <summary>The suite: records the canonical request and the string to sign.</summary>
    public SigV4Trace? Trace { get; init; }
}
