using Atomic.Credentials.DependencyInjection;
using Atomic.Credentials.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Attaches a registered Atomic credential to an <see cref="HttpClient"/>.</summary>
public static class AtomicCredentialsHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the handler of the credential named <paramref name="credentialName"/> to this client:
    /// every request it sends is authorized or signed with that credential.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="credentialName">A credential registered with <c>AddAtomicCredentials</c> or <c>AddAtomicCredential</c>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddAtomicCredentialHandler(this IHttpClientBuilder builder, string credentialName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialName);
        AtomicCredentialsServiceCollectionExtensions.AddCore(builder.Services);

        // IHttpClientFactory logs request headers at Trace: the credential's own must be redacted,
        // on top of whatever the user redacts (PostConfigure runs after their RedactLoggedHeaders).
        builder.Services.AddOptions<HttpClientFactoryOptions>(builder.Name).PostConfigure<IServiceProvider>((options, services) =>
        {
            var sensitive = services.GetRequiredService<CredentialRegistry>().SensitiveHeaders(services, credentialName);
            var previous = options.ShouldRedactHeaderValue;
            options.ShouldRedactHeaderValue = header => sensitive(header) || previous(header);
        });

        // An integration preset (S3 bucket, Marketo, Salesforce Marketing Cloud) knows its API's
        // address: a client without a base address of its own gets it, read at each CreateClient.
        builder.ConfigureHttpClient((services, client) =>
            client.BaseAddress ??= services.GetRequiredService<CredentialRegistry>().BaseAddress(services, credentialName));

        return builder.AddHttpMessageHandler(services =>
            services.GetRequiredService<CredentialRegistry>().CreateHandler(services, credentialName));
    }

    /// <summary>
    /// Adds a handler that applies, to each request, the saved credential the request names
    /// (<c>request.WithCredential("acme/crm")</c>): one client serves every credential of an
    /// <see cref="ICredentialStore"/> (register it with <c>AddAtomicCredentialStore</c>). A request that
    /// names none, or one that is not saved, is refused before anything is sent.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Limits the client, e.g. to names under a tenant's prefix.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddAtomicCredentialHandler(this IHttpClientBuilder builder, Action<SavedCredentialHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AtomicCredentialsServiceCollectionExtensions.AddCore(builder.Services);
        var options = new SavedCredentialHandlerOptions();
        configure?.Invoke(options);
        builder.Services.TryAddSingleton(services => new SavedCredentials(
            services.GetService<CredentialStore>()
                ?? throw new InvalidOperationException("AddAtomicCredentialHandler() without a name needs the credential store: call services.AddAtomicCredentialStore(...)."),
            services,
            services.GetService<CredentialStoreOptions>()?.MaxResolvedCredentials ?? CredentialStoreOptions.DefaultMaxResolvedCredentials));

        // Which headers a saved credential sets is known only per request: IHttpClientFactory's request
        // logging redacts every header value of this client.
        builder.Services.AddOptions<HttpClientFactoryOptions>(builder.Name).PostConfigure(factoryOptions => factoryOptions.ShouldRedactHeaderValue = static _ => true);

        var prefix = options.NamePrefix;
        return builder.AddHttpMessageHandler(services => new SavedCredentialHandler(services.GetRequiredService<SavedCredentials>(), prefix));
    }
}
