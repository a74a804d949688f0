namespace Atomic.Credentials.Caching;

/// <summary>
/// Remembers that the shared cache failed, so that for a while requests do not wait on it at all;
/// the first call after that while tries it again, and its success closes the breaker.
/// </summary>
internal sealed class OutageBreaker(TimeProvider timeProvider, TimeSpan retryAfter)
{
    private long openUntilTicks;

    public bool IsOpen => timeProvider.GetUtcNow().UtcTicks < Interlocked.Read(ref openUntilTicks);

    /// <summary>Opens the breaker; true when it was closed (the outage is new, worth a warning).</summary>
    public bool Trip()
    {
        var wasOpen = Interlocked.Exchange(ref openUntilTicks, (timeProvider.GetUtcNow() + retryAfter).UtcTicks) != 0;
        return !wasOpen;
    }

    /// <summary>Closes the breaker; true when it was open (the cache is back, worth a note).</summary>
    public bool Reset() => Interlocked.Exchange(ref openUntilTicks, 0) != 0;
}
