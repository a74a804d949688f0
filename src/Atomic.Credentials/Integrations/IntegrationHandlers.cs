using Atomic.Credentials.Caching;
using Atomic.Credentials.Integrations;
using Atomic.Credentials.Internal;
using Atomic.Credentials.OAuth;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials;

/// <summary>
/// The integration presets on the OAuth kind without dependency injection:
/// <c>new HttpClient(IntegrationHandlers.Marketo(options) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = … }</c>.
/// (With dependency injection, <c>AddAtomicCredentialHandler</c> also sets the base address.)
/// </summary>
public static class IntegrationHandlers
{
    /// <summary>
    /// Salesforce Marketing Cloud: give the client the base address
    /// <c>https://&lt;Subdomain&gt;.rest.marketingcloudapis.com/</c>; requests go to the token's instance URL.
    /// </summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors, logs and cache keys.</param>
    /// <param name="cache">Where tokens are kept; a private in-memory cache, disposed with the handler, when null.</param>
    /// <param name="tokenHandler">Sends the token requests; a process-wide handler when null. Not disposed with the handler.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    /// <returns>The handler; set its <see cref="DelegatingHandler.InnerHandler"/>.</returns>
    public static OAuthClientCredentialsHandler SalesforceMarketingCloud(
        SalesforceMarketingCloudOptions options, string? name = null, ICredentialCache? cache = null,
        HttpMessageHandler? tokenHandler = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        name ??= SalesforceMarketingCloudOptions.KindName;
        var validated = OptionsGate.Validated(new SalesforceMarketingCloudOptionsValidator(), name, options);
        return new(
            name, SalesforceMarketingCloudOptions.KindName, new StaticOptionsMonitor<OAuthClientCredentialsOptions>(validated.ToOAuth()),
            cache, tokenHandler, timeProvider, loggerFactory);
    }

    /// <summary>Marketo: give the client the base address of the REST API, e.g. <c>https://064-CCJ-768.mktorest.com/rest/</c>.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors, logs and cache keys.</param>
    /// <param name="cache">Where tokens are kept; a private in-memory cache, disposed with the handler, when null.</param>
    /// <param name="tokenHandler">Sends the token requests; a process-wide handler when null. Not disposed with the handler.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    /// <returns>The handler; set its <see cref="DelegatingHandler.InnerHandler"/>.</returns>
    public static OAuthClientCredentialsHandler Marketo(
        MarketoOptions options, string? name = null, ICredentialCache? cache = null,
        HttpMessageHandler? tokenHandler = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        name ??= MarketoOptions.KindName;
        var validated = OptionsGate.Validated(new MarketoOptionsValidator(), name, options);
        return new(
            name, MarketoOptions.KindName, new StaticOptionsMonitor<OAuthClientCredentialsOptions>(validated.ToOAuth()),
            cache, tokenHandler, timeProvider, loggerFactory);
    }
}
