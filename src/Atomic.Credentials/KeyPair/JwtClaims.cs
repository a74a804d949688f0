namespace Atomic.Credentials.KeyPair;

/// <summary>
/// What goes into a JWT besides the times and the <c>jti</c>, which <see cref="JwtFactory"/> sets
/// for each token. Built once per options instance.
/// </summary>
/// <param name="Issuer"><c>iss</c>, or null to leave it out.</param>
/// <param name="Subject"><c>sub</c>, or null to leave it out.</param>
/// <param name="Audiences"><c>aud</c>: one is written as a string, several as an array, none leaves it out.</param>
/// <param name="Lifetime"><c>exp</c> − <c>iat</c>; at least one second.</param>
/// <param name="TokenType">The <c>typ</c> header; null writes <c>JWT</c>.</param>
/// <param name="Extra">Custom claims: strings, numbers, booleans, arrays of them; none of the registered names.</param>
/// <param name="Header">Further JOSE header members (a DPoP proof's <c>jwk</c>), or null for none.</param>
internal sealed record JwtClaims(
    string? Issuer,
    string? Subject,
    IReadOnlyList<string> Audiences,
    TimeSpan Lifetime,
    string? TokenType = null,
    IReadOnlyDictionary<string, object>? Extra = null,
    IDictionary<string, object>? Header = null)
{
    /// <summary>Claims the factory owns; a custom claim may not replace them.</summary>
    public static readonly IReadOnlySet<string> Registered =
        new HashSet<string>(StringComparer.Ordinal) { "iss", "sub", "aud", "exp", "nbf", "iat", "jti" };
}
