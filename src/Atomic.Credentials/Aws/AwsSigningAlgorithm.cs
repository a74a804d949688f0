namespace Atomic.Credentials;

/// <summary>Which AWS signature a credential makes.</summary>
public enum AwsSigningAlgorithm
{
    /// <summary><c>AWS4-HMAC-SHA256</c>: signed for one <c>Region</c>.</summary>
    SigV4 = 0,

    /// <summary>
    /// <c>AWS4-ECDSA-P256-SHA256</c>: an ECDSA P-256 signature valid in every region of a
    /// <c>RegionSet</c>, which S3 Multi-Region Access Points and other global endpoints require.
    /// </summary>
    SigV4a = 1,
}
