namespace Atomic.Credentials.OAuth;

/// <summary>The fields of a token endpoint's JSON answer the credential uses (RFC 6749 §5.1, §5.2).</summary>
/// <remarks><see cref="ToString"/> never shows the access token, nor <see cref="Extra"/>'s values.</remarks>
internal sealed record TokenResponse(string? AccessToken, string? TokenType, TimeSpan? ExpiresIn, string? Error, string? ErrorDescription)
{
    /// <summary>
    /// The other top-level members whose value is a string, for an API built on the kind to read
    /// (an instance URL a preset sends to); bounded by <see cref="TokenResponseReader"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = Empty;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(0, StringComparer.Ordinal);

    public override string ToString() =>
        $"TokenResponse {{ AccessToken = {(AccessToken is null ? "(none)" : "***")}, TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Error = {Error} }}";
}
