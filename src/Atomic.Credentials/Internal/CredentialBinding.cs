using Atomic.Credentials.Diagnostics;

namespace Atomic.Credentials.Internal;

/// <summary>
/// What one handler adds to the credential it sends with: control of its primary handler's
/// redirects, taken once at the first request, when the handler chain is complete.
/// </summary>
internal sealed class CredentialBinding
{
    private readonly Lock gate = new();
    private RedirectPolicy? redirects;

    /// <summary>Sends <paramref name="request"/> with <paramref name="credential"/> through <paramref name="owner"/>'s inner handler.</summary>
    /// <remarks>
    /// The kinds' own sealed types are called directly: one virtual call site shared by every kind
    /// measured slower than these type checks (paired rounds of FactoryPipelineBenchmarks).
    /// </remarks>
    public Task<HttpResponseMessage> SendAsync(
        DelegatingHandler owner, Credential credential, HttpRequestMessage request, SendDelegate send, CancellationToken cancellationToken)
    {
        var policy = Redirects(owner, credential, request);
        return credential switch
        {
            BasicAuthHandler.Pipeline basic => basic.SendAsync(request, send, policy, cancellationToken),
            OAuthClientCredentialsHandler.Pipeline oauth => oauth.SendAsync(request, send, policy, cancellationToken),
            CustomHeadersHandler.Pipeline headers => headers.SendAsync(request, send, policy, cancellationToken),
            KeyPairJwtHandler.Pipeline keyPair => keyPair.SendAsync(request, send, policy, cancellationToken),
            Aws.AwsSigningPipeline aws => aws.SendAsync(request, send, policy, cancellationToken),
            _ => credential.SendAsync(request, send, policy, cancellationToken),
        };
    }

    /// <summary>
    /// The redirect control of <paramref name="owner"/>'s chain: a field read after the first request.
    /// A handler that knows its credential's exact type calls the credential itself with it, so that
    /// call is direct rather than one virtual call site shared by every kind.
    /// </summary>
    public RedirectPolicy Redirects(DelegatingHandler owner, Credential credential, HttpRequestMessage? request) =>
        redirects ?? TakeOver(owner, credential, request?.RequestUri);

    // A primary handler that follows redirects itself and can no longer be told not to would carry
    // every header of the credential to whatever host a redirect names: nothing is sent, at this
    // request and every later one, until the handler chain is fixed.
    private RedirectPolicy TakeOver(DelegatingHandler owner, Credential credential, Uri? uri)
    {
        lock (gate)
        {
            if (redirects is null)
            {
                redirects = RedirectPolicy.TakeOver(owner, out var frozen);
                if (redirects is null)
                {
                    Log.RedirectsNotControlled(credential.Logger, credential.Name, credential.Kind);
                    throw credential.Refused(uri,
                        $"its primary handler ({frozen}) follows redirects automatically and has already sent a request, so that can no "
                        + "longer be turned off, and a redirect would carry the credential to any host. Give the credential handler a primary "
                        + "handler of its own, or create the shared one with AllowAutoRedirect = false (redirects are then returned to the caller, not followed)");
                }
            }

            return redirects;
        }
    }
}
