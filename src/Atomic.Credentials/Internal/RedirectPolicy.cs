namespace Atomic.Credentials.Internal;

/// <summary>
/// Whether a credential handler follows redirects itself. It does when it could turn off its
/// primary handler's automatic redirects: those would carry headers such as an API key to any host.
/// </summary>
internal sealed class RedirectPolicy
{
    public static readonly RedirectPolicy None = new(false, 0);

    private RedirectPolicy(bool follow, int maxRedirects)
    {
        Follow = follow;
        MaxRedirects = maxRedirects;
    }

    public bool Follow { get; }

    public int MaxRedirects { get; }

    /// <summary>
    /// Finds the primary handler below <paramref name="handler"/>; if it follows redirects
    /// automatically, turns that off and returns a policy that follows them here instead.
    /// Returns null when the primary handler follows redirects and that can no longer be turned off,
    /// with <paramref name="frozen"/> naming its type.
    /// </summary>
    public static RedirectPolicy? TakeOver(DelegatingHandler handler, out string? frozen)
    {
        frozen = null;
        HttpMessageHandler? inner = handler.InnerHandler;
        while (inner is DelegatingHandler delegating)
        {
            inner = delegating.InnerHandler;
        }

        try
        {
            switch (inner)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    return new RedirectPolicy(true, sockets.MaxAutomaticRedirections);
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    return new RedirectPolicy(true, client.MaxAutomaticRedirections);
                default:
                    // Redirects off already (the caller then gets the 3xx), or a handler of the user's own,
                    // which must not follow redirects itself (docs/security.md says so).
                    return None;
            }
        }
        catch (InvalidOperationException)
        {
            // The primary handler has already sent a request and its settings are frozen.
            frozen = inner?.GetType().Name;
            return null;
        }
    }
}
