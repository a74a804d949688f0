using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// What SigV4a changes in a SigV4 signature: the algorithm name, a scope without region, the
/// region set (a signed <c>X-Amz-Region-Set</c> header or query parameter) and an ECDSA P-256
/// signature with the key derived from the secret. The canonical request is SigV4's own.
/// </summary>
internal sealed class SigV4aSigning
{
    public const string Algorithm = "AWS4-ECDSA-P256-SHA256";
    public const string RegionSetHeader = "X-Amz-Region-Set";

    /// <summary>A DER-encoded P-256 signature takes at most 72 bytes.</summary>
    public const int MaxSignatureLength = EcdsaDer.MaxLength;

    private SigV4aKey? key;

    /// <param name="regionSet">The regions the signature is valid in (<c>*</c> for all), as configured.</param>
    public SigV4aSigning(IEnumerable<string> regionSet)
    {
        RegionSet = string.Join(',', regionSet);
        EncodedRegionSet = SigV4Signer.Encoded(Encoding.UTF8.GetBytes(RegionSet));
    }

    /// <summary>The region set as <c>X-Amz-Region-Set</c> carries it: comma-joined.</summary>
    public string RegionSet { get; }

    /// <summary>The region set as the query parameter's value: percent-encoded (',' is <c>%2C</c>).</summary>
    public byte[] EncodedRegionSet { get; }

    /// <summary>Signs the string to sign's SHA-256 into <paramref name="signature"/>; returns the signature's length.</summary>
    public int Sign(in AwsKeys keys, ReadOnlySpan<byte> stringToSign, Span<byte> signature) => EcdsaDer.Sign(KeyFor(keys).Key, stringToSign, signature);

    /// <summary>The derived key for these credentials, derived again only when they change.</summary>
    public SigV4aKey KeyFor(in AwsKeys keys)
    {
        var current = key;
        if (current is not null && current.IsFor(keys))
        {
            return current;
        }

        var derived = SigV4aKey.Derive(keys);
        key = derived;
        return derived;
    }

    public override string ToString() => $"SigV4a({RegionSet})";
}
