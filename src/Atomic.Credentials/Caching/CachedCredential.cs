namespace Atomic.Credentials.Caching;

/// <summary>
/// A cached piece of credential material and the instants that govern it.
/// </summary>
/// <remarks><see cref="ToString"/> never shows <see cref="Value"/>.</remarks>
public sealed class CachedCredential
{
    /// <summary>Creates an entry.</summary>
    /// <param name="value">The material, e.g. an access token or a signed JWT.</param>
    /// <param name="expiresAt">The instant from which the entry is no longer served.</param>
    /// <param name="refreshAt">
    /// The instant from which the entry is still served but replaced in the background;
    /// <see langword="null"/> for no refresh ahead of expiry.
    /// </param>
    public CachedCredential(string value, DateTimeOffset expiresAt, DateTimeOffset? refreshAt = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (refreshAt > expiresAt)
        {
            throw new ArgumentOutOfRangeException(nameof(refreshAt), "The refresh instant must not be after the expiry.");
        }

        Value = value;
        ExpiresAt = expiresAt;
        RefreshAt = refreshAt;
    }

    /// <summary>The material, e.g. an access token or a signed JWT.</summary>
    public string Value { get; }

    /// <summary>The instant from which the entry is no longer served.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The instant from which the entry is refreshed in the background, if any.</summary>
    public DateTimeOffset? RefreshAt { get; }

    /// <summary>Describes the entry without its value.</summary>
    public override string ToString() =>
        $"CachedCredential {{ Value = ***, ExpiresAt = {ExpiresAt:O}, RefreshAt = {RefreshAt:O} }}";
}
