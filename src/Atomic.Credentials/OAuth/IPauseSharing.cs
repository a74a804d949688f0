namespace Atomic.Credentials.OAuth;

/// <summary>
/// A cache that spans a fleet shares the instant a token endpoint may be asked again, so that no
/// instance asks before it (see <see cref="TokenEndpointGate"/>).
/// </summary>
internal interface IPauseSharing
{
    /// <summary>The shared instant under <paramref name="key"/>; null when there is none or the store is unavailable.</summary>
    Task<DateTimeOffset?> ReadPauseAsync(string key);

    /// <summary>Shares <paramref name="until"/> under <paramref name="key"/>, kept until that instant.</summary>
    Task WritePauseAsync(string key, DateTimeOffset until);
}
