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

    private static readonly string[] Names =
        [SigV4Signer.ContentSha256Header, SigV4Signer.DateHeader, SigV4aSigning.RegionSetHeader, SigV4Signer.SecurityTokenHeader];

    private static readonly byte[][] CanonicalNames = [.. Names.Select(name => Encoding.ASCII.GetBytes(name.ToLowerInvariant()))];

    // "host" and the names of the slots with a value, ';'-joined, for each of the 16 ways slots can be filled.
    private static readonly byte[][] BareSignedLists = [.. Enumerable.Range(0, 1 << Slots).Select(mask => Encoding.ASCII.GetBytes(
        string.Join(';', new[] { "host" }.Concat(Enumerable.Range(0, Slots).Where(slot => (mask & (1 << slot)) != 0).Select(slot => Names[slot].ToLowerInvariant())))))];

    public bool IsEmpty => contentSha256 is null && date is null && regionSet is null && securityToken is null;

    /// <summary>The signed-header list of a request that has no header of its own: <c>host</c>, then these.</summary>
    public ReadOnlySpan<byte> BareSignedList => BareSignedLists[
        (contentSha256 is null ? 0 : 1) | (date is null ? 0 : 2) | (regionSet is null ? 0 : 4) | (securityToken is null ? 0 : 8)];

    public static string Name(int slot) => Names[slot];

    public static ReadOnlySpan<byte> CanonicalName(int slot) => CanonicalNames[slot];

    public string? Value(int slot) => slot switch
    {
        0 => contentSha256,
        1 => date,
        2 => regionSet,
        _ => securityToken,
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
        for (var slot = 0; slot < Slots; slot++)
        {
            if (Value(slot) is { } value)
            {
                headers.TryAddWithoutValidation(Names[slot], value);
            }
        }
    }
}
