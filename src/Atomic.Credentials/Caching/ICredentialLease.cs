namespace Atomic.Credentials.Caching;

/// <summary>
/// A short, exclusive claim on a cache key held in the store a fleet shares (Redis's <c>SET NX PX</c>),
/// so that of the instances that miss the same entry together, one asks the identity provider and
/// the others wait for the entry it shares (see <see cref="DistributedCredentialCache"/>).
/// </summary>
/// <remarks>
/// The holder value is chosen by the cache: random, new for every attempt, never derived from a
/// secret. An implementation may throw when its store fails: the cache then treats the call as
/// "no lease" and the instance fetches on its own, as it would without a lease.
/// </remarks>
public interface ICredentialLease
{
    /// <summary>Claims <paramref name="key"/> for <paramref name="holder"/> unless someone holds it; the claim lapses after <paramref name="duration"/>.</summary>
    /// <param name="key">The lease's key (derived from a cache key: no secret).</param>
    /// <param name="holder">This attempt's random value.</param>
    /// <param name="duration">How long the claim lasts if it is never released.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <returns>True when this attempt holds the lease; false when another one does.</returns>
    Task<bool> TryAcquireAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Ends the claim on <paramref name="key"/> if, and only if, <paramref name="holder"/> still holds it.</summary>
    /// <param name="key">The lease's key.</param>
    /// <param name="holder">The value the lease was acquired with.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <returns>A task that completes when the claim is released or was not this holder's.</returns>
    Task ReleaseAsync(string key, string holder, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the claim on <paramref name="key"/> last <paramref name="duration"/> from now if, and only if,
    /// <paramref name="holder"/> still holds it: the holder keeps its lease while a slow identity provider
    /// answers. A lease that cannot be extended (the default) simply lapses after its first duration.
    /// </summary>
    /// <param name="key">The lease's key.</param>
    /// <param name="holder">The value the lease was acquired with.</param>
    /// <param name="duration">How long the claim lasts from now if it is never released.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <returns>True when the claim was this holder's and now lasts longer; false otherwise.</returns>
    Task<bool> TryExtendAsync(string key, string holder, TimeSpan duration, CancellationToken cancellationToken) => Task.FromResult(false);
}
