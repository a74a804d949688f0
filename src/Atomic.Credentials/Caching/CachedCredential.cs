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
        : this(value, expiresAt, refreshAt, null)
    {
    }

    /// <summary>Creates an entry that carries what its issuer said besides the material.</summary>
    /// <param name="value">The material, e.g. an access token or a signed JWT.</param>
    /// <param name="expiresAt">The instant from which the entry is no longer served.</param>
    /// <param name="refreshAt">The instant from which the entry is replaced in the background, if any.</param>
    /// <param name="properties">
    /// What the response that brought the material said and requests using it need, e.g. the API
    /// instance URLs of a Salesforce Marketing Cloud token; never a secret. Stored in the shared cache with the value.
    /// </param>
    public CachedCredential(string value, DateTimeOffset expiresAt, DateTimeOffset? refreshAt, IReadOnlyDictionary<string, string>? properties)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (refreshAt > expiresAt)
        {
            throw new ArgumentOutOfRangeException(nameof(refreshAt), "The refresh instant must not be after the expiry.");
        }

        Value = value;
        ExpiresAt = expiresAt;
        RefreshAt = refreshAt;
        Properties = properties ?? EmptyProperties;
    }

    /// <summary>The material, e.g. an access token or a signed JWT.</summary>
    public string Value { get; }

    /// <summary>The instant from which the entry is no longer served.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The instant from which the entry is refreshed in the background, if any.</summary>
    public DateTimeOffset? RefreshAt { get; }

    /// <summary>What the issuer said besides the material (e.g. instance URLs); empty for most kinds.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    private static IReadOnlyDictionary<string, string> EmptyProperties { get; } = new Dictionary<string, string>(0);

    /// <summary>The same material and properties with other instants.</summary>
    internal CachedCredential WithInstants(DateTimeOffset expiresAt, DateTimeOffset? refreshAt) => new(Value, expiresAt, refreshAt, Properties);

    /// <summary>Describes the entry without its value.</summary>
    public override string ToString() =>
        $"CachedCredential {{ Value = ***, ExpiresAt = {ExpiresAt:O}, RefreshAt = {RefreshAt:O} }}";
}
