using System.Diagnostics.CodeAnalysis;
using Atomic.Credentials.Aws;
using Atomic.Credentials.Basic;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Headers;
using Atomic.Credentials.KeyPair;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.DependencyInjection;

/// <summary>Every credential kind the package knows. A new kind adds one entry here.</summary>
internal static class CredentialKinds
{
    public static readonly IReadOnlyList<CredentialKind> All =
    [
        CredentialKind.Create<BasicAuthOptions, BasicAuthOptionsValidator>(
            BasicAuthOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new BasicAuthHandler(name, Monitor<BasicAuthOptions>(services), Loggers(services))),
        CredentialKind.Create<CustomHeadersOptions, CustomHeadersOptionsValidator>(
            CustomHeadersOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new CustomHeadersHandler(name, Monitor<CustomHeadersOptions>(services), Loggers(services)),
            options => options.Headers.Keys),
        CredentialKind.Create<KeyPairOptions, KeyPairOptionsValidator>(
            KeyPairOptions.KindName,
            KeyPairConfiguration.Bind,
            (services, name) => new KeyPairJwtHandler(
                name, Monitor<KeyPairOptions>(services), CredentialCaches.For(services, name),
                services.GetRequiredService<TimeProvider>(), Loggers(services))),
        CredentialKind.Create<AwsSignedRequestOptions, AwsSignedRequestOptionsValidator>(
            AwsSignedRequestOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new AwsSignatureHandler(name, Monitor<AwsSignedRequestOptions>(services), services.GetService<TimeProvider>(), Loggers(services)),
            _ => [Aws.SigV4Signer.SecurityTokenHeader]),
        CredentialKind.Create<OAuthClientCredentialsOptions, OAuth.OAuthClientCredentialsOptionsValidator>(
            OAuthClientCredentialsOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new OAuthClientCredentialsHandler(
                name,
                Monitor<OAuthClientCredentialsOptions>(services),
                CredentialCaches.For(services, name),
                OAuth.TokenTransport.FromFactory(services.GetRequiredService<IHttpMessageHandlerFactory>()),
                services.GetRequiredService<TimeProvider>(),
                Loggers(services))),
        CredentialKind.Create<SalesforceMarketingCloudOptions, OAuth.SalesforceMarketingCloudOptionsValidator>(
            SalesforceMarketingCloudOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => OAuthPreset<SalesforceMarketingCloudOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<MarketoOptions, OAuth.MarketoOptionsValidator>(
            MarketoOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => OAuthPreset<MarketoOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<S3BucketOptions, S3BucketOptionsValidator>(
            S3BucketOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new AwsSignatureHandler(
                name,
                S3BucketClient.Monitor(Monitor<S3BucketOptions>(services)),
                services.GetService<TimeProvider>(),
                Loggers(services)),
            _ => [SigV4Signer.SecurityTokenHeader],
            options => options.BaseAddress),
    ];

    public static CredentialKind? FindByType(string? type) =>
        All.FirstOrDefault(kind => string.Equals(kind.Type, type, StringComparison.OrdinalIgnoreCase));

    public static CredentialKind? FindByOptions(Type optionsType) =>
        All.FirstOrDefault(kind => kind.OptionsType == optionsType);

    public static string TypeNames => string.Join(", ", All.Select(kind => kind.Type));

    private static IOptionsMonitor<TOptions> Monitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<TOptions>>();

    // An integration preset on the OAuth kind: its options derived into OAuth options, one handler.
    private static OAuthClientCredentialsHandler OAuthPreset<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceProvider services, string name, Func<TOptions, OAuthClientCredentialsOptions> derive)
        where TOptions : class =>
        new(
            name,
            new Internal.DerivedOptionsMonitor<TOptions, OAuthClientCredentialsOptions>(Monitor<TOptions>(services), derive),
            CredentialCaches.For(services, name),
            OAuth.TokenTransport.FromFactory(services.GetRequiredService<IHttpMessageHandlerFactory>()),
            services.GetRequiredService<TimeProvider>(),
            Loggers(services));

    private static ILoggerFactory? Loggers(IServiceProvider services) => services.GetService<ILoggerFactory>();
}
