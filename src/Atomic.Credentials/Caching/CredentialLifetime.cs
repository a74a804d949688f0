namespace Atomic.Credentials.Caching;

/// <summary>
/// The one place that says when a piece of material is replaced and until when it may be served:
/// the instants an entry gets when it is obtained (an OAuth token, a key-pair JWT), what each
/// instant means (fresh, due for refresh, no longer servable), and how they move when a refresh
/// fails or when a fleet staggers its refreshes. The caches store and the handlers remember; the
/// decisions are these.
/// </summary>
internal static class CredentialLifetime
{
    /// <summary>After a failed refresh, the still valid entry is tried again this much later.</summary>
    public static readonly TimeSpan RefreshRetryDelay = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxTokenMargin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxStagger = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An OAuth token: replaced after <paramref name="cacheDuration"/> (in the background, while
    /// still served), or after 80 % of its usable life when that is sooner; never served past
    /// <c>expires_in</c> less a safety margin for clock skew and the time the request takes.
    /// </summary>
    public static CachedCredential ForToken(string value, TimeSpan? expiresIn, TimeSpan cacheDuration, DateTimeOffset obtainedAt)
    {
        // Without expires_in nothing says how long the token lives: serve it only for CacheDuration.
        var usable = expiresIn is { } lifetime ? lifetime - TokenMargin(lifetime) : cacheDuration;
        if (usable <= TimeSpan.Zero)
        {
            // Already at its end: good for the request that asked, never cached.
            return new CachedCredential(value, obtainedAt);
        }

        var replaceAfter = TimeSpan.FromTicks(Math.Min(cacheDuration.Ticks, usable.Ticks / 5 * 4));
        return new CachedCredential(value, obtainedAt + usable, obtainedAt + replaceAfter);
    }

    /// <summary>
    /// A JWT we signed: reused up to <paramref name="ratio"/> of its life, then replaced in the
    /// background; never served in the last half of what remains, so a JWT in flight still arrives before its exp.
    /// </summary>
    public static CachedCredential ForJwt(string value, DateTimeOffset issuedAt, DateTimeOffset expiresAt, double ratio)
    {
        var refreshAt = issuedAt + ((expiresAt - issuedAt) * ratio);
        return new CachedCredential(value, refreshAt + ((expiresAt - refreshAt) / 2), refreshAt);
    }

    /// <summary>May still be served at <paramref name="now"/>.</summary>
    public static bool IsServable(CachedCredential entry, DateTimeOffset now) => entry.ExpiresAt > now;

    /// <summary>Served, and due to be replaced in the background, at <paramref name="now"/>.</summary>
    public static bool IsDue(CachedCredential entry, DateTimeOffset now) => entry.RefreshAt <= now;

    /// <summary>Servable and not yet due: nothing to do but use it.</summary>
    public static bool IsFresh(CachedCredential entry, DateTimeOffset now) => IsServable(entry, now) && !IsDue(entry, now);

    /// <summary>Until when a handler may use the entry without asking its cache: its refresh instant, or its expiry without one.</summary>
    public static DateTimeOffset UsableWithoutCacheUntil(CachedCredential entry) => entry.RefreshAt ?? entry.ExpiresAt;

    /// <summary>
    /// The same entry after a failed refresh: next tried <see cref="RefreshRetryDelay"/> from <paramref name="now"/>,
    /// or at the instant the identity provider allows the next token request when that is later (see <c>TokenEndpointGate</c>).
    /// </summary>
    public static CachedCredential Postponed(CachedCredential stale, DateTimeOffset now, Exception? failure = null)
    {
        var next = now + RefreshRetryDelay;
        if (failure is CredentialException { NextAttemptAt: { } allowed } && allowed > next)
        {
            next = allowed;
        }

        return stale.WithInstants(stale.ExpiresAt, next < stale.ExpiresAt ? next : stale.ExpiresAt);
    }

    /// <summary>
    /// One instance's copy of a shared entry. Every instance holding it would renew it at the same
    /// instant, each with a token request of its own; so this copy is renewed at a random instant
    /// (<paramref name="jitter"/> in [0, 1)) in the first half of the time between the entry's refresh
    /// instant and its expiry, at most 30 s later: the first instance to renew stores the new entry
    /// and the others, renewing later, read it. The shared copy keeps the entry's own instants.
    /// </summary>
    public static CachedCredential Staggered(CachedCredential entry, double jitter)
    {
        if (entry.RefreshAt is not { } refreshAt)
        {
            return entry;
        }

        var window = Math.Min((entry.ExpiresAt - refreshAt).Ticks / 2, MaxStagger.Ticks);
        return window <= 0 ? entry : entry.WithInstants(entry.ExpiresAt, refreshAt + TimeSpan.FromTicks((long)(jitter * window)));
    }

    // A tenth of the lifetime, at most 30 s: a 1 h token loses 30 s, a 20 s token 2 s.
    private static TimeSpan TokenMargin(TimeSpan lifetime) => TimeSpan.FromTicks(Math.Min(MaxTokenMargin.Ticks, lifetime.Ticks / 10));
}
