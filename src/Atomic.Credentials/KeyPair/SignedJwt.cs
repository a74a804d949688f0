namespace Atomic.Credentials.KeyPair;

/// <summary>A compact JWS and the instants written into it.</summary>
/// <remarks><see cref="ToString"/> never shows the token.</remarks>
internal sealed record SignedJwt(string Token, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"SignedJwt {{ Token = ***, IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
