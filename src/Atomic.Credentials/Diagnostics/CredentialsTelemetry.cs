using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Atomic.Credentials.Diagnostics;

/// <summary>
/// The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>Atomic.Credentials</c>.
/// Tags carry credential names and kinds, never material.
/// </summary>
internal static class CredentialsTelemetry
{
    public const string Name = "Atomic.Credentials";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Requests a credential handler authorized or signed.</summary>
    public static readonly Counter<long> RequestsApplied =
        Meter.CreateCounter<long>("atomic.credentials.requests", "{request}", "Requests a credential was applied to.");

    /// <summary>Requests refused by the guard (host or transport) and never sent.</summary>
    public static readonly Counter<long> RequestsRefused =
        Meter.CreateCounter<long>("atomic.credentials.refused", "{request}", "Requests refused and not sent.");

    /// <summary>Cache lookups served from an entry.</summary>
    public static readonly Counter<long> CacheHits =
        Meter.CreateCounter<long>("atomic.credentials.cache.hits", "{lookup}", "Cache lookups served from an entry.");

    /// <summary>Cache lookups that had to wait for the factory.</summary>
    public static readonly Counter<long> CacheMisses =
        Meter.CreateCounter<long>("atomic.credentials.cache.misses", "{lookup}", "Cache lookups that waited for a new entry.");

    /// <summary>Background refreshes started ahead of expiry.</summary>
    public static readonly Counter<long> Refreshes =
        Meter.CreateCounter<long>("atomic.credentials.refreshes", "{refresh}", "Background refreshes ahead of expiry.");

    /// <summary>Failures to obtain material (token requests, signing, cache back ends).</summary>
    public static readonly Counter<long> Failures =
        Meter.CreateCounter<long>("atomic.credentials.failures", "{failure}", "Failures to obtain credential material.");

    /// <summary>Calls to an identity provider or signer that produced new material.</summary>
    public static readonly Counter<long> MaterialRequests =
        Meter.CreateCounter<long>("atomic.credentials.material.requests", "{request}", "Token requests and signings that produced new material.");

    /// <summary>Lookups in the distributed cache's shared store, tagged <c>result</c>: hit, miss or unavailable.</summary>
    public static readonly Counter<long> DistributedLookups =
        Meter.CreateCounter<long>("atomic.credentials.cache.distributed.lookups", "{lookup}", "Lookups in the shared store behind the distributed credential cache.");

    /// <summary>Shared store calls that failed or timed out, tagged <c>operation</c> and <c>reason</c>.</summary>
    public static readonly Counter<long> DistributedErrors =
        Meter.CreateCounter<long>("atomic.credentials.cache.distributed.errors", "{error}", "Shared store calls that failed or timed out; requests went on without the store.");

    /// <summary>
    /// Elections of the instance that fetches a missing or due shared entry, tagged <c>result</c>:
    /// elected, awaited (another instance's entry arrived), renewing-elsewhere, timed-out (waited
    /// <c>LeaseWait</c> in vain) or alone (no lease service answered).
    /// </summary>
    public static readonly Counter<long> DistributedElections =
        Meter.CreateCounter<long>("atomic.credentials.cache.distributed.elections", "{election}", "Elections of the one instance of a fleet that fetches a shared entry.");

    public static KeyValuePair<string, object?> CredentialTag(string name) => new("atomic.credential.name", name);

    public static KeyValuePair<string, object?> KindTag(string kind) => new("atomic.credential.kind", kind);
}
