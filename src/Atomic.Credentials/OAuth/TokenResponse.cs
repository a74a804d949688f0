namespace Atomic.Credentials.OAuth;

/// <summary>The fields of a token endpoint's JSON answer the credential uses (RFC 6749 §5.1, §5.2).</summary>
/// <remarks><see cref="ToString"/> never shows the access token.</remarks>
internal sealed record TokenResponse(string? AccessToken, string? TokenType, TimeSpan? ExpiresIn, string? Error, string? ErrorDescription)
{
    /// <summary>Salesforce Marketing Cloud's <c>rest_instance_url</c>: the tenant's REST base address.</summary>
    public string? RestInstanceUrl { get; init; }

    /// <summary>Salesforce Marketing Cloud's <c>soap_instance_url</c>.</summary>
    public string? SoapInstanceUrl { get; init; }

    public override string ToString() =>
        $"TokenResponse {{ AccessToken = {(AccessToken is null ? "(none)" : "***")}, TokenType = {TokenType}, ExpiresIn = {ExpiresIn}, Error = {Error} }}";
}
