using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Atomic.Credentials.Caching;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// The one place that decides whether a credential's token endpoint may be asked now: after a
/// <c>429</c> or a <c>5xx</c> it stays closed until the instant the identity provider named
/// (<c>Retry-After</c>, seconds or an HTTP date) or, without one, for an exponential backoff with
/// jitter between <see cref="OAuthClientCredentialsOptions.TokenRetryBackoffMin"/> and
/// <see cref="OAuthClientCredentialsOptions.TokenRetryBackoffMax"/>. One gate per cache key, shared
/// by every caller that uses the same <see cref="ICredentialCache"/>; a cache that spans a fleet
/// (<see cref="IPauseSharing"/>) shares the instant with every instance.
/// </summary>
internal sealed class TokenEndpointGate
{
    private static readonly ConditionalWeakTable<ICredentialCache, TokenEndpointGates> Gates = new();

    private readonly TokenEndpointGates table;
    private readonly string key;
    private readonly IPauseSharing? sharing;
    private readonly TimeProvider timeProvider;
    private readonly Lock sync = new();
    private DateTimeOffset? pausedUntil;
    private int failures;
    private HttpStatusCode? lastStatus;
    private DateTimeOffset? obtainedUntil;
    private string? lastFailure;

    private TokenEndpointGate(TokenEndpointGates table, string key, IPauseSharing? sharing, TimeProvider timeProvider)
    {
        this.table = table;
        this.key = key;
        this.sharing = sharing;
        this.timeProvider = timeProvider;
    }

    /// <summary>Where in [0, 1) of the backoff's jitter range a pause ends; random, replaceable by tests.</summary>
#pragma warning disable CA5394 // Spreading retries needs no cryptographic randomness.
    internal static Func<double> Jitter { get; set; } = Random.Shared.NextDouble;
#pragma warning restore CA5394

    /// <summary>The gate of <paramref name="key"/> for every caller sharing <paramref name="cache"/>.</summary>
    public static TokenEndpointGate For(ICredentialCache cache, string key, TimeProvider timeProvider) =>
        Table(cache).GetOrAdd(key, table => new TokenEndpointGate(table, key, cache as IPauseSharing, timeProvider));

    /// <summary>The gate of <paramref name="key"/> if a credential of <paramref name="cache"/> holds it or it is paused.</summary>
    public static TokenEndpointGate? Find(ICredentialCache cache, string key) =>
        Gates.TryGetValue(cache, out var gates) ? gates.Find(key) : null;

    /// <summary>The table of <paramref name="cache"/>'s gates.</summary>
    internal static TokenEndpointGates Table(ICredentialCache cache) => Gates.GetValue(cache, static _ => new TokenEndpointGates());

    /// <summary>This gate's clock, now.</summary>
    internal DateTimeOffset Now => timeProvider.GetUtcNow();

    /// <summary>The instant before which this process asks no more; null when the endpoint may be asked now (the shared instant is not read).</summary>
    public DateTimeOffset? LocalPause
    {
        get
        {
            lock (sync)
            {
                return pausedUntil > timeProvider.GetUtcNow() ? pausedUntil : null;
            }
        }
    }

    /// <summary>Consecutive refused token requests (429, 5xx) since the last success.</summary>
    public int Failures
    {
        get
        {
            lock (sync)
            {
                return failures;
            }
        }
    }

    /// <summary>The status of the last refused token request, if the last one was refused.</summary>
    public HttpStatusCode? LastStatus
    {
        get
        {
            lock (sync)
            {
                return lastStatus;
            }
        }
    }

    /// <summary>
    /// The instant before which the endpoint must not be asked, or null when it may be asked now:
    /// this process's pause, or else the fleet's (one read of the shared cache, bounded by its timeout).
    /// </summary>
    public async ValueTask<DateTimeOffset?> PausedUntilAsync()
    {
        if (LocalPause is { } local)
        {
            return local;
        }

        if (sharing is null || await sharing.ReadPauseAsync(PauseKey(key)).ConfigureAwait(false) is not { } shared
            || shared <= timeProvider.GetUtcNow())
        {
            return null;
        }

        lock (sync)
        {
            // Learned from another instance: this process waits as long without asking the store again.
            if (!(pausedUntil >= shared))
            {
                pausedUntil = shared;
            }
        }

        return shared;
    }

    /// <summary>The expiry of the last token obtained through this gate, if any (never the token).</summary>
    public DateTimeOffset? ObtainedUntil
    {
        get
        {
            lock (sync)
            {
                return obtainedUntil;
            }
        }
    }

    /// <summary>Why the last token request failed (status and OAuth error, already scrubbed); null after a success.</summary>
    public string? LastFailure
    {
        get
        {
            lock (sync)
            {
                return lastFailure;
            }
        }
    }

    /// <summary>A token served until <paramref name="expiresAt"/> was obtained: the gate is open and the backoff starts over.</summary>
    public void Succeeded(DateTimeOffset expiresAt)
    {
        lock (sync)
        {
            failures = 0;
            pausedUntil = null;
            lastStatus = null;
            lastFailure = null;
            obtainedUntil = expiresAt;
        }
    }

    /// <summary>A token request failed, for whatever reason; <paramref name="reason"/> holds no secret.</summary>
    public void Failed(string reason)
    {
        lock (sync)
        {
            lastFailure = reason;
        }
    }

    /// <summary>
    /// The endpoint answered <paramref name="status"/>. A 429 or 5xx closes the gate and returns the
    /// instant it opens again; any other answer changes nothing and returns null.
    /// </summary>
    public DateTimeOffset? Refused(HttpStatusCode status, RetryConditionHeaderValue? retryAfter, OAuthClientCredentialsOptions options)
    {
        if (!PausesOn(status))
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        DateTimeOffset until;
        lock (sync)
        {
            failures++;
            lastStatus = status;
            until = RetryAfterInstant(retryAfter, now) ?? now + Backoff(failures, options.TokenRetryBackoffMin, options.TokenRetryBackoffMax, Jitter());
            if (!(pausedUntil >= until))
            {
                pausedUntil = until;
            }

            until = pausedUntil.Value;
        }

        // A paused gate outlives the credential state that held it: one rebuilt meanwhile must still wait.
        table.Pin(this, until);

        // Not awaited: the failing request reports at once; other instances read the instant on their next miss.
        _ = sharing?.WritePauseAsync(PauseKey(key), until);
        return until;
    }

    /// <summary>Whether an answer with <paramref name="status"/> pauses token requests: 429 and every 5xx.</summary>
    public static bool PausesOn(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status is >= 500 and < 600;

    /// <summary>
    /// The <paramref name="failure"/>-th consecutive failure's pause: between half and all of
    /// min(<paramref name="max"/>, <paramref name="min"/> × 2^(failure − 1)), never below <paramref name="min"/>'s half;
    /// <paramref name="jitter"/> in [0, 1) picks where.
    /// </summary>
    public static TimeSpan Backoff(int failure, TimeSpan min, TimeSpan max, double jitter)
    {
        var doublings = Math.Clamp(failure - 1, 0, 62);
        var ceiling = min.Ticks > max.Ticks >> doublings ? max : TimeSpan.FromTicks(Math.Min(max.Ticks, min.Ticks << doublings));
        return ceiling - TimeSpan.FromTicks((long)(ceiling.Ticks / 2 * Math.Clamp(jitter, 0, 1)));
    }

    /// <summary>The shared cache's key of a credential's pause: derived from its entry's key, so it holds no secret either.</summary>
    public static string PauseKey(string cacheKey) => cacheKey + ":pause";

    private static DateTimeOffset? RetryAfterInstant(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        var instant = retryAfter switch
        {
            { Delta: { } delta } => now + delta,
            { Date: { } date } => date,
            _ => (DateTimeOffset?)null,
        };

        // A date already past (or a clock behind the server's) asks for nothing: the backoff applies.
        return instant > now ? instant : null;
    }
}
