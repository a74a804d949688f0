using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>What a signature was computed over, for the official suite's comparisons (tests only).</summary>
internal sealed class SigV4Trace
{
    public string CanonicalRequest { get; private set; } = string.Empty;

    public string StringToSign { get; private set; } = string.Empty;

    public void Record(ReadOnlySpan<byte> canonicalRequest, ReadOnlySpan<byte> stringToSign)
    {
        CanonicalRequest = Encoding.UTF8.GetString(canonicalRequest);
        StringToSign = Encoding.UTF8.GetString(stringToSign);
    }
}
