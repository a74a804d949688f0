using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// A header a signature puts on the request (its date, payload hash, session token, region set), signed
/// before it is put there; <see cref="CanonicalName"/> is its name as the canonical request writes it.
/// </summary>
internal readonly record struct AddedHeader(string Name, byte[] CanonicalName, string Value)
{
    public static readonly byte[] ContentSha256 = Lower(SigV4Signer.ContentSha256Header);
    public static readonly byte[] Date = Lower(SigV4Signer.DateHeader);
    public static readonly byte[] RegionSet = Lower(SigV4aSigning.RegionSetHeader);
    public static readonly byte[] SecurityToken = Lower(SigV4Signer.SecurityTokenHeader);

    private static byte[] Lower(string name) => Encoding.ASCII.GetBytes(name.ToLowerInvariant());
}

/// <summary>Room for the four headers a header-mode signature adds besides <c>Authorization</c>, without an allocation.</summary>
[System.Runtime.CompilerServices.InlineArray(Length)]
internal struct AddedHeaders
{
    public const int Length = 4;
    private AddedHeader first;
}
