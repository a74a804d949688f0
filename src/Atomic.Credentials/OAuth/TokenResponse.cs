namespace Atomic.Credentials.OAuth;

/// <summary>The fields of a token endpoint's JSON answer the credential uses (RFC 6749 §5.1, §5.2).</summary>
/// <remarks><see cref="ToString"/> never shows the access token.</remarks>
internal sealed record TokenResponse(string? AccessToken, string? TokenType, TimeSpan? ExpiresIn, string? Error, string? ErrorDescription)
{
    public override string ToString() =>
        $"TokenResponse {{ AccessToken = {(AccessToken is null ? "(none)" : "***")}, TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Error = {Error} }}";
}
