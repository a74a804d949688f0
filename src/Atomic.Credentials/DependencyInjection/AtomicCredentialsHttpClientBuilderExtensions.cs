using Atomic.Credentials.DependencyInjection;
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
}
