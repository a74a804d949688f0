using Atomic.Credentials.Caching;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// When a token is replaced and until when it may be served. It is replaced after
/// <c>CacheDuration</c> (in the background, while still served), or after 80 % of its usable life
/// when that is sooner; it is never served past <c>expires_in</c> less a safety margin for clock
/// skew and the time the request takes to reach the API.
/// </summary>
internal static class TokenLifetime
{
    private static readonly TimeSpan MaxMargin = TimeSpan.FromSeconds(30);

    public static CachedCredential Entry(string value, TimeSpan? expiresIn, TimeSpan cacheDuration, DateTimeOffset obtainedAt)
    {
        // Without expires_in nothing says how long the token lives: serve it only for CacheDuration.
        var usable = expiresIn is { } lifetime ? lifetime - Margin(lifetime) : cacheDuration;
        if (usable <= TimeSpan.Zero)
        {
            // Already at its end: good for the request that asked, never cached.
            return new CachedCredential(value, obtainedAt);
        }

        var replaceAfter = TimeSpan.FromTicks(Math.Min(cacheDuration.Ticks, usable.Ticks / 5 * 4));
        return new CachedCredential(value, obtainedAt + usable, obtainedAt + replaceAfter);
    }

    // A tenth of the lifetime, at most 30 s: a 1 h token loses 30 s, a 20 s token 2 s.
    private static TimeSpan Margin(TimeSpan lifetime) => TimeSpan.FromTicks(Math.Min(MaxMargin.Ticks, lifetime.Ticks / 10));
}
