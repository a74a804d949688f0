using System.Net;
using Atomic.Credentials.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Internal;

/// <summary>What the redirect follower needs of a credential: where it may go, and how to put it on and take it off.</summary>
internal interface IRedirectHops
{
    string Name { get; }

    string Kind { get; }

    ILogger Logger { get; }

    /// <summary>Whether the guard lets the credential go to <paramref name="target"/>.</summary>
    bool Allows(Uri target);

    ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    void Remove(HttpRequestMessage request);
}

/// <summary>
/// Follows redirects in place of the primary handler, which would carry every header of the
/// credential to any host. The rule: the credential is applied on a hop only while the whole chain
/// so far has stayed on the origin (scheme, host, port) the request was first sent to, and the guard
/// allows it. Once a hop leaves that origin nothing is applied again, not even back on the origin:
/// from then on a foreign server chooses the path, method and body, and the credential would
/// authorize a request the caller never made.
/// </summary>
internal static class RedirectFollower
{
    public static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    public static async Task<HttpResponseMessage> FollowAsync(
        IRedirectHops hops, HttpRequestMessage request, HttpResponseMessage response, int maxRedirects,
        SendDelegate send, CancellationToken cancellationToken)
    {
        var origin = request.RequestUri!;
        var onOrigin = true;
        for (var hop = 0; hop < maxRedirects; hop++)
        {
            var status = response.StatusCode;
            if (!IsRedirect(status) || response.Headers.Location is not { } location)
            {
                return response;
            }

            // Taken off first, so a target resolved from the previous URI cannot carry a presigned query along.
            hops.Remove(request);
            var from = request.RequestUri!;
            if (Target(from, location) is not { } target)
            {
                return response;
            }

            if (ChangesToGet(request.Method, status))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
                request.Headers.TransferEncodingChunked = false;
            }
            else if (!IsReplayable(request.Content))
            {
                return response;
            }

            response.Dispose();
            request.RequestUri = target;
            onOrigin = onOrigin && CredentialGuard.SameOrigin(origin, target);
            if (onOrigin && hops.Allows(target))
            {
                await hops.ApplyAsync(request, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // As HttpClient does itself: an Authorization header never follows to another origin.
                request.Headers.Authorization = null;
                Log.RedirectWithoutCredential(hops.Logger, hops.Name, hops.Kind, from.IdnHost, target.IdnHost);
            }

            response = await send(request, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>Whether a request body can be sent a second time.</summary>
    public static bool IsReplayable(HttpContent? content) =>
        content is null or ByteArrayContent or ReadOnlyMemoryContent;

    private static Uri? Target(Uri from, Uri location)
    {
        var target = location.IsAbsoluteUri ? location : new Uri(from, location);
        if (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp)
        {
            return null;
        }

        // Like HttpClient: never follow from https down to http.
        return from.Scheme == Uri.UriSchemeHttps && target.Scheme == Uri.UriSchemeHttp ? null : target;
    }

    private static bool ChangesToGet(HttpMethod method, HttpStatusCode status) => status switch
    {
        HttpStatusCode.Moved or HttpStatusCode.Found => method == HttpMethod.Post,
        HttpStatusCode.SeeOther => method != HttpMethod.Get && method != HttpMethod.Head,
        _ => false,
    };
}
