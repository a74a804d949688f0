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
            [nameof(BasicAuthOptions.Username)],
            (services, name, monitor) => new BasicAuthHandler.Pipeline(name, monitor, Logger<BasicAuthHandler>(services))),
        CredentialKind.Create<CustomHeadersOptions, CustomHeadersOptionsValidator>(
            CustomHeadersOptions.KindName,
            (options, section) => section.Bind(options),
            [], // a header's value is the credential: all of Headers is secret
            (services, name, monitor) => new CustomHeadersHandler.Pipeline(name, monitor, Logger<CustomHeadersHandler>(services)),
            options => options.Headers.Keys),
        CredentialKind.Create<KeyPairOptions, KeyPairOptionsValidator>(
            KeyPairOptions.KindName,
            KeyPairConfiguration.Bind,
            [
                nameof(KeyPairOptions.Algorithm), nameof(KeyPairOptions.Issuer), nameof(KeyPairOptions.Subject),
                nameof(KeyPairOptions.Audience), nameof(KeyPairOptions.Audiences), nameof(KeyPairOptions.Lifetime),
                nameof(KeyPairOptions.CacheLifetimeRatio), nameof(KeyPairOptions.KeyId), nameof(KeyPairOptions.TokenType),
            ], // Claims stay secret: a user may put anything there
            (services, name, monitor) => new KeyPairJwtHandler.Pipeline(
                name, monitor, CredentialCaches.For(services, name),
                services.GetRequiredService<TimeProvider>(), Logger<KeyPairJwtHandler>(services))),
        CredentialKind.Create<AwsSignedRequestOptions, AwsSignedRequestOptionsValidator>(
            AwsSignedRequestOptions.KindName,
            (options, section) => section.Bind(options),
            [
                nameof(AwsSignedRequestOptions.AccessKeyId), nameof(AwsSignedRequestOptions.Service), nameof(AwsSignedRequestOptions.Region),
                nameof(AwsSignedRequestOptions.SignQuery), nameof(AwsSignedRequestOptions.Expires), nameof(AwsSignedRequestOptions.PayloadSigning),
                nameof(AwsSignedRequestOptions.SigningAlgorithm), nameof(AwsSignedRequestOptions.RegionSet),
            ],
            (services, name, monitor) => new AwsSigningPipeline(name, monitor, Time(services), Logger<AwsSignatureHandler>(services)),
            _ => [Aws.SigV4Signer.SecurityTokenHeader]),
        CredentialKind.Create<OAuthClientCredentialsOptions, OAuthClientCredentialsOptionsValidator>(
            OAuthClientCredentialsOptions.KindName,
            (options, section) => section.Bind(options),
            [
                nameof(OAuthClientCredentialsOptions.IdentityUrl), nameof(OAuthClientCredentialsOptions.ClientId),
                nameof(OAuthClientCredentialsOptions.Scope), nameof(OAuthClientCredentialsOptions.RequestScheme),
                nameof(OAuthClientCredentialsOptions.ClientAuthentication), nameof(OAuthClientCredentialsOptions.Algorithm),
                nameof(OAuthClientCredentialsOptions.KeyId), nameof(OAuthClientCredentialsOptions.CacheDuration),
                nameof(OAuthClientCredentialsOptions.TokenRequestTimeout), nameof(OAuthClientCredentialsOptions.RetryOnUnauthorized),
                nameof(OAuthClientCredentialsOptions.TokenRetryBackoffMin), nameof(OAuthClientCredentialsOptions.TokenRetryBackoffMax),
                nameof(OAuthClientCredentialsOptions.Dpop), nameof(OAuthClientCredentialsOptions.DpopAlgorithm),
            ], // AdditionalParameters stay secret: providers take secrets there too; so does DpopKey
            (services, name, monitor) => OAuth(services, name, monitor)),
        CredentialKind.Create<SalesforceMarketingCloudOptions, SalesforceMarketingCloudOptionsValidator>(
            SalesforceMarketingCloudOptions.KindName,
            (options, section) => section.Bind(options),
            [
                nameof(SalesforceMarketingCloudOptions.Subdomain), nameof(SalesforceMarketingCloudOptions.ClientId),
                nameof(SalesforceMarketingCloudOptions.AccountId), nameof(SalesforceMarketingCloudOptions.Scope),
                nameof(SalesforceMarketingCloudOptions.AuthBaseUrl), nameof(SalesforceMarketingCloudOptions.TokenRequestTimeout),
            ],
            (services, name, monitor) => OAuthPreset(services, name, monitor, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<MarketoOptions, MarketoOptionsValidator>(
            MarketoOptions.KindName,
            (options, section) => section.Bind(options),
            [nameof(MarketoOptions.IdentityUrl), nameof(MarketoOptions.RestUrl), nameof(MarketoOptions.ClientId), nameof(MarketoOptions.TokenRequestTimeout)],
            (services, name, monitor) => OAuthPreset(services, name, monitor, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<S3BucketOptions, S3BucketOptionsValidator>(
            S3BucketOptions.KindName,
            (options, section) => section.Bind(options),
            [
                nameof(S3BucketOptions.BucketName), nameof(S3BucketOptions.Region), nameof(S3BucketOptions.AccessKeyId),
                nameof(S3BucketOptions.ServiceUrl), nameof(S3BucketOptions.ForcePathStyle), nameof(S3BucketOptions.PayloadSigning),
                nameof(S3BucketOptions.PresignedUrlExpiry), nameof(S3BucketOptions.SigningAlgorithm), nameof(S3BucketOptions.RegionSet),
            ],
            (services, name, monitor) => new AwsSigningPipeline(
                name, S3BucketClient.Monitor(monitor), Time(services), Logger<AwsSignatureHandler>(services)),
            _ => [SigV4Signer.SecurityTokenHeader],
            options => options.BaseAddress),
    ];

    public static CredentialKind? FindByType(string? type) =>
        All.FirstOrDefault(kind => string.Equals(kind.Type, type, StringComparison.OrdinalIgnoreCase));

    public static CredentialKind? FindByOptions(Type optionsType) =>
        All.FirstOrDefault(kind => kind.OptionsType == optionsType);

    public static string TypeNames => string.Join(", ", All.Select(kind => kind.Type));

    // An integration preset on the OAuth kind: its options derived into OAuth options, one handler,
    // and the preset's own Type in its errors, logs and metrics.
    private static OAuthClientCredentialsHandler.Pipeline OAuthPreset<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceProvider services, string name, IOptionsMonitor<TOptions> monitor, Func<TOptions, OAuthClientCredentialsOptions> derive)
        where TOptions : CredentialOptions, new() =>
        OAuth(services, name, new DerivedOptionsMonitor<TOptions, OAuthClientCredentialsOptions>(monitor, derive), new TOptions().Kind);

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
