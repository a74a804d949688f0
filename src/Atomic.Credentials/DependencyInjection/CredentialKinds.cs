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

/// <summary>
/// Every credential kind the package knows. A new kind adds one entry here. Each entry lists the
/// fields a saved credential may show in clear; a field not listed (a new one too) is a secret.
/// </summary>
internal static class CredentialKinds
{
    public static readonly IReadOnlyList<CredentialKind> All =
    [
        CredentialKind.Create<BasicAuthOptions, BasicAuthOptionsValidator>(
            BasicAuthOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<BasicAuthOptions>() ?? new(),
            [nameof(BasicAuthOptions.Username)],
            (services, name) => new BasicAuthHandler(name, Monitor<BasicAuthOptions>(services), Loggers(services))),
        CredentialKind.Create<CustomHeadersOptions, CustomHeadersOptionsValidator>(
            CustomHeadersOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<CustomHeadersOptions>() ?? new(),
            [], // a header's value is the credential: all of Headers is secret
            (services, name) => new CustomHeadersHandler(name, Monitor<CustomHeadersOptions>(services), Loggers(services)),
            options => options.Headers.Keys),
        CredentialKind.Create<KeyPairOptions, KeyPairOptionsValidator>(
            KeyPairOptions.KindName,
            KeyPairConfiguration.Bind,
            KeyPairConfiguration.BindInstance,
            [
                nameof(KeyPairOptions.Algorithm), nameof(KeyPairOptions.Issuer), nameof(KeyPairOptions.Subject),
                nameof(KeyPairOptions.Audience), nameof(KeyPairOptions.Audiences), nameof(KeyPairOptions.Lifetime),
                nameof(KeyPairOptions.CacheLifetimeRatio), nameof(KeyPairOptions.KeyId), nameof(KeyPairOptions.TokenType),
            ], // Claims stay secret: a user may put anything there
            (services, name) => new KeyPairJwtHandler(
                name, Monitor<KeyPairOptions>(services), CredentialCaches.For(services, name),
                services.GetRequiredService<TimeProvider>(), Loggers(services))),
        CredentialKind.Create<AwsSignedRequestOptions, AwsSignedRequestOptionsValidator>(
            AwsSignedRequestOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<AwsSignedRequestOptions>() ?? new(),
            [
                nameof(AwsSignedRequestOptions.AccessKeyId), nameof(AwsSignedRequestOptions.Service), nameof(AwsSignedRequestOptions.Region),
                nameof(AwsSignedRequestOptions.SignQuery), nameof(AwsSignedRequestOptions.Expires), nameof(AwsSignedRequestOptions.PayloadSigning),
            ],
            (services, name) => new AwsSignatureHandler(name, Monitor<AwsSignedRequestOptions>(services), services.GetService<TimeProvider>(), Loggers(services)),
            _ => [Aws.SigV4Signer.SecurityTokenHeader]),
        CredentialKind.Create<OAuthClientCredentialsOptions, OAuth.OAuthClientCredentialsOptionsValidator>(
            OAuthClientCredentialsOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<OAuthClientCredentialsOptions>() ?? new(),
            [
                nameof(OAuthClientCredentialsOptions.IdentityUrl), nameof(OAuthClientCredentialsOptions.ClientId),
                nameof(OAuthClientCredentialsOptions.Scope), nameof(OAuthClientCredentialsOptions.RequestScheme),
                nameof(OAuthClientCredentialsOptions.ClientAuthentication), nameof(OAuthClientCredentialsOptions.Algorithm),
                nameof(OAuthClientCredentialsOptions.KeyId), nameof(OAuthClientCredentialsOptions.CacheDuration),
                nameof(OAuthClientCredentialsOptions.TokenRequestTimeout), nameof(OAuthClientCredentialsOptions.RetryOnUnauthorized),
            ], // AdditionalParameters stay secret: providers take secrets there too
            (services, name) => new OAuthClientCredentialsHandler(
                name,
                Monitor<OAuthClientCredentialsOptions>(services),
                CredentialCaches.For(services, name),
                OAuth.TokenTransport.FromFactory(services.GetRequiredService<IHttpMessageHandlerFactory>()),
                services.GetRequiredService<TimeProvider>(),
                Loggers(services))),
        CredentialKind.Create<SalesforceMarketingCloudOptions, OAuth.SalesforceMarketingCloudOptionsValidator>(
            SalesforceMarketingCloudOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<SalesforceMarketingCloudOptions>() ?? new(),
            [
                nameof(SalesforceMarketingCloudOptions.Subdomain), nameof(SalesforceMarketingCloudOptions.ClientId),
                nameof(SalesforceMarketingCloudOptions.AccountId), nameof(SalesforceMarketingCloudOptions.Scope),
                nameof(SalesforceMarketingCloudOptions.AuthBaseUrl), nameof(SalesforceMarketingCloudOptions.TokenRequestTimeout),
            ],
            (services, name) => OAuthPreset<SalesforceMarketingCloudOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<MarketoOptions, OAuth.MarketoOptionsValidator>(
            MarketoOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<MarketoOptions>() ?? new(),
            [nameof(MarketoOptions.IdentityUrl), nameof(MarketoOptions.RestUrl), nameof(MarketoOptions.ClientId), nameof(MarketoOptions.TokenRequestTimeout)],
            (services, name) => OAuthPreset<MarketoOptions>(services, name, options => options.ToOAuth()),
            baseAddress: options => options.RestBaseAddress),
        CredentialKind.Create<S3BucketOptions, S3BucketOptionsValidator>(
            S3BucketOptions.KindName,
            (options, section) => options.Bind(section),
            section => section.Get<S3BucketOptions>() ?? new(),
            [
                nameof(S3BucketOptions.BucketName), nameof(S3BucketOptions.Region), nameof(S3BucketOptions.AccessKeyId),
                nameof(S3BucketOptions.ServiceUrl), nameof(S3BucketOptions.ForcePathStyle), nameof(S3BucketOptions.PayloadSigning),
                nameof(S3BucketOptions.PresignedUrlExpiry),
            ],
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
