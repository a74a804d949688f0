using System.Diagnostics.CodeAnalysis;
using Atomic.Credentials.Aws;
using Atomic.Credentials.Basic;
using Atomic.Credentials.Caching;
using Atomic.Credentials.Headers;
using Atomic.Credentials.Integrations;
using Atomic.Credentials.Internal;
using Atomic.Credentials.OAuth;
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
            (services, name) => new BasicAuthHandler.Pipeline(name, Monitor<BasicAuthOptions>(services), Logger<BasicAuthHandler>(services))),
        CredentialKind.Create<CustomHeadersOptions, CustomHeadersOptionsValidator>(
            CustomHeadersOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new CustomHeadersHandler.Pipeline(name, Monitor<CustomHeadersOptions>(services), Logger<CustomHeadersHandler>(services)),
            options => options.Headers.Keys),
        CredentialKind.Create<KeyPairOptions, KeyPairOptionsValidator>(
            KeyPairOptions.KindName,
            KeyPairConfiguration.Bind,
            (services, name) => new KeyPairJwtHandler.Pipeline(
                name, Monitor<KeyPairOptions>(services), CredentialCaches.For(services, name),
                services.GetRequiredService<TimeProvider>(), Logger<KeyPairJwtHandler>(services))),
        CredentialKind.Create<AwsSignedRequestOptions, AwsSignedRequestOptionsValidator>(
            AwsSignedRequestOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new AwsSigningPipeline(name, Monitor<AwsSignedRequestOptions>(services), Time(services), Logger<AwsSignatureHandler>(services)),
            _ => [Aws.SigV4Signer.SecurityTokenHeader]),
        CredentialKind.Create<OAuthClientCredentialsOptions, OAuthClientCredentialsOptionsValidator>(
            OAuthClientCredentialsOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => OAuth(services, name, Monitor<OAuthClientCredentialsOptions>(services))),
        CredentialKind.Create<SalesforceMarketingCloudOptions, SalesforceMarketingCloudOptionsValidator>(
            SalesforceMarketingCloudOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => OAuthPreset<SalesforceMarketingCloudOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<MarketoOptions, MarketoOptionsValidator>(
            MarketoOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => OAuthPreset<MarketoOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<S3BucketOptions, S3BucketOptionsValidator>(
            S3BucketOptions.KindName,
            (options, section) => section.Bind(options),
            (services, name) => new AwsSigningPipeline(
                name, S3BucketClient.Monitor(Monitor<S3BucketOptions>(services)), Time(services), Logger<AwsSignatureHandler>(services)),
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

    // An integration preset on the OAuth kind: its options derived into OAuth options, one handler,
    // and the preset's own Type in its errors, logs and metrics.
    private static OAuthClientCredentialsHandler.Pipeline OAuthPreset<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceProvider services, string name, Func<TOptions, OAuthClientCredentialsOptions> derive)
        where TOptions : CredentialOptions, new() =>
        OAuth(services, name, new DerivedOptionsMonitor<TOptions, OAuthClientCredentialsOptions>(Monitor<TOptions>(services), derive), new TOptions().Kind);

    private static OAuthClientCredentialsHandler.Pipeline OAuth(
        IServiceProvider services, string name, IOptionsMonitor<OAuthClientCredentialsOptions> monitor, string kind = OAuthClientCredentialsOptions.KindName) =>
        new OAuthClientCredentialsHandler.Pipeline(
            name,
            kind,
            monitor,
            CredentialCaches.For(services, name),
            TokenTransport.FromFactory(services.GetRequiredService<IHttpMessageHandlerFactory>()),
            services.GetRequiredService<TimeProvider>(),
            Logger<OAuthClientCredentialsHandler>(services));

    private static TimeProvider Time(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    private static ILogger Logger<THandler>(IServiceProvider services) => CredentialLoggers.Create<THandler>(services.GetService<ILoggerFactory>());
}
