using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Internal;

/// <summary>
/// One credential at run time: built once from its definition, it owns its guard, its material
/// source and what it learns, and takes a request through guard, obtain, apply and send. Handlers
/// are adapters over it: a handler built without dependency injection owns one; through
/// <c>IHttpClientFactory</c> every handler of a name shares the one the registry keeps.
/// </summary>
internal abstract class Credential
{
    public abstract string Name { get; }

    /// <summary>The kind's <c>Type</c>.</summary>
    public abstract string Kind { get; }

    public abstract ILogger Logger { get; }

    /// <summary>Steps 1 to 4 for <paramref name="request"/>, sending through <paramref name="send"/>.</summary>
    public abstract Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, SendDelegate send, RedirectPolicy redirects, CancellationToken cancellationToken);

    /// <summary>
    /// Counts, logs and returns the refusal of a request the guard stopped, to be thrown before it is
    /// sent; <paramref name="presigning"/> when the request was to be presigned rather than sent.
    /// </summary>
    public abstract CredentialException Refused(Uri? uri, string reason, bool presigning = false);
}
