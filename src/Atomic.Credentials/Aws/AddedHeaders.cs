using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The headers a header-mode signature puts on the request besides <c>Authorization</c> (its payload hash,
/// date, region set, session token), by value: signed before they are put there. A slot without a value is
/// not added; <c>default</c> adds nothing. Slots are in canonical order (by lower-case name).
/// </summary>
internal readonly struct AddedHeaders(string? contentSha256, string? date, string? regionSet, string? securityToken)
{
    public const int Slots = 4;

    public string? ContentSha256 { get; } = contentSha256;

    public string? Date { get; } = date;

    public string? RegionSet { get; } = regionSet;

    public string? SecurityToken { get; } = securityToken;

    private static readonly string[] Names =
        [SigV4Signer.ContentSha256Header, SigV4Signer.DateHeader, SigV4aSigning.RegionSetHeader, SigV4Signer.SecurityTokenHeader];

    private static readonly byte[][] CanonicalNames = [.. Names.Select(name => Encoding.ASCII.GetBytes(name.ToLowerInvariant()))];

    /// <summary>Each slot's canonical line up to its value, <c>"\n" name ":"</c>, for a request with no header of its own.</summary>
    public static readonly byte[] ContentSha256Line = LineOf(0), DateLine = LineOf(1), RegionSetLine = LineOf(2), SecurityTokenLine = LineOf(3);

    // "host" and the names of the slots with a value, ';'-joined, for each of the 16 ways slots can be filled.
    private static readonly byte[][] BareSignedLists = [.. Enumerable.Range(0, 1 << Slots).Select(mask => Encoding.ASCII.GetBytes(
        string.Join(';', new[] { "host" }.Concat(Enumerable.Range(0, Slots).Where(slot => (mask & (1 << slot)) != 0).Select(slot => Names[slot].ToLowerInvariant())))))];

    private static byte[] LineOf(int slot) => [(byte)'\n', .. CanonicalNames[slot], (byte)':'];

    public bool IsEmpty => ContentSha256 is null && Date is null && RegionSet is null && SecurityToken is null;

    /// <summary>The signed-header list of a request that has no header of its own: <c>host</c>, then these.</summary>
    public ReadOnlySpan<byte> BareSignedList => BareSignedLists[
        (ContentSha256 is null ? 0 : 1) | (Date is null ? 0 : 2) | (RegionSet is null ? 0 : 4) | (SecurityToken is null ? 0 : 8)];

    public static string Name(int slot) => Names[slot];

    public string? Value(int slot) => slot switch
    {
        0 => ContentSha256,
        1 => Date,
        2 => RegionSet,
        _ => SecurityToken,
    };

    /// <summary>Whether one of the headers with a value is named <paramref name="name"/> (any case).</summary>
    public bool Adds(string name)
    {
        for (var slot = 0; slot < Slots; slot++)
        {
            if (Value(slot) is not null && Names[slot].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Puts the headers with a value on <paramref name="headers"/>.</summary>
    public void AddTo(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        Add(headers, SigV4Signer.ContentSha256Header, ContentSha256);
        Add(headers, SigV4Signer.DateHeader, Date);
        Add(headers, SigV4aSigning.RegionSetHeader, RegionSet);
        Add(headers, SigV4Signer.SecurityTokenHeader, SecurityToken);
    }

    private static void Add(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string? value)
    {
        if (value is not null)
        {
            headers.TryAddWithoutValidation(name, value);
        }
    }
}
