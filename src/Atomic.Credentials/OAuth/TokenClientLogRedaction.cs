using Atomic.Credentials.Internal;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// IHttpClientFactory logs request headers at Trace: on the token client, <c>Authorization</c>
/// carries the client id and secret (<c>BasicHeader</c>), so its value is always redacted there,
/// whatever the user's own redaction says. (The Query scheme's secret is in the query, which the
/// factory's logging already redacts.)
/// </summary>
internal sealed class TokenClientLogRedaction : IPostConfigureOptions<HttpClientFactoryOptions>
{
    public void PostConfigure(string? name, HttpClientFactoryOptions options)
    {
        if (name != OAuthClientCredentialsHandler.TokenHttpClientName)
        {
            return;
        }

        var previous = options.ShouldRedactHeaderValue;
        options.ShouldRedactHeaderValue = header =>
            header.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase) || previous(header);
    }
}
