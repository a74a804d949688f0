using Atomic.Credentials.Aws;
using Atomic.Credentials.Internal;
using Atomic.Credentials.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Presigns a URL with an AWS credential without sending anything: an S3 download link valid for
/// N minutes, an upload URL handed to a browser. The same signer, rules and host guard as
/// <see cref="AwsSignatureHandler"/>.
/// </summary>
public sealed class AwsRequestPresigner
{
    private readonly AwsSigningPipeline pipeline;

    /// <summary>Creates a presigner without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="timeProvider">The clock URLs are dated by.</param>
    /// <param name="loggerFactory">Where the presigner logs.</param>
    public AwsRequestPresigner(
        AwsSignedRequestOptions options, string? name = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(
            OptionsGate.Fixed(new AwsSignedRequestOptionsValidator(), name ?? AwsSignedRequestOptions.KindName, options),
            name ?? AwsSignedRequestOptions.KindName,
            timeProvider,
            loggerFactory)
    {
    }

    /// <summary>
    /// Creates a presigner for a named credential registered with <c>AddAtomicCredentials</c> or
    /// <c>AddAtomicCredential</c>; a reloaded credential is used from the next URL on.
    /// </summary>
    /// <param name="options">The registered AWS credentials, e.g. from <c>IServiceProvider</c>.</param>
    /// <param name="name">The credential's name.</param>
    /// <param name="timeProvider">The clock URLs are dated by.</param>
    /// <param name="loggerFactory">Where the presigner logs.</param>
    public AwsRequestPresigner(
        IOptionsMonitor<AwsSignedRequestOptions> options, string name, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(name);
        pipeline = new AwsSigningPipeline(
            name, options, timeProvider ?? TimeProvider.System, CredentialLoggers.Create<AwsRequestPresigner>(loggerFactory));
    }

    /// <summary>
    /// Creates a presigner for a named <c>S3Bucket</c> credential registered with
    /// <c>AddAtomicCredentials</c> or <c>AddAtomicCredential</c>: the bucket's host only, as its
    /// handler signs; a reloaded credential is used from the next URL on.
    /// </summary>
    /// <param name="options">The registered S3 bucket credentials, e.g. from <c>IServiceProvider</c>.</param>
    /// <param name="name">The credential's name.</param>
    /// <param name="timeProvider">The clock URLs are dated by.</param>
    /// <param name="loggerFactory">Where the presigner logs.</param>
    public AwsRequestPresigner(
        IOptionsMonitor<S3BucketOptions> options, string name, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(S3BucketClient.Monitor(options ?? throw new ArgumentNullException(nameof(options))), name, timeProvider, loggerFactory)
    {
    }

    /// <summary>
    /// Creates a presigner for an <c>AwsSignedRequest</c> or <c>S3Bucket</c> credential saved in
    /// <paramref name="store"/>, as it is saved now (a later save is used by a presigner created
    /// after it). An S3Bucket credential presigns for its bucket's host only, as its handler signs.
    /// </summary>
    /// <param name="store">The credential store the credential was saved in.</param>
    /// <param name="name">The saved credential's name.</param>
    /// <param name="timeProvider">The clock URLs are dated by.</param>
    /// <param name="loggerFactory">Where the presigner logs.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <returns>The presigner.</returns>
    /// <exception cref="CredentialException">No credential is saved under the name, or it is of another kind.</exception>
    public static async Task<AwsRequestPresigner> FromSavedAsync(
        CredentialStore store, string name, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = await store.ReadOptionsAsync(name, cancellationToken).ConfigureAwait(false) switch
        {
            AwsSignedRequestOptions aws => aws,
            S3BucketOptions bucket => bucket.ToAws(),
            var other => throw new CredentialException(name, other.Kind,
                $"Credential '{name}' is {other.Kind}: only AwsSignedRequest and S3Bucket credentials presign URLs."),
        };
        return new AwsRequestPresigner(options, name, timeProvider, loggerFactory);
    }

    /// <summary>Presigns <paramref name="method"/> on <paramref name="requestUri"/>, valid for <paramref name="expiresIn"/>.</summary>
    /// <param name="method">The method the URL is for (GET to download, PUT to upload).</param>
    /// <param name="requestUri">The absolute URL; its own query is kept and signed.</param>
    /// <param name="expiresIn">How long the URL works (at most 7 days); the credential's <c>Expires</c> when null.</param>
    /// <param name="cancellationToken">Cancels reading credentials from AWS's default chain.</param>
    /// <returns>The URL with <c>X-Amz-*</c> query parameters and the signature.</returns>
    public async ValueTask<Uri> PresignAsync(
        HttpMethod method, Uri requestUri, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, requestUri);
        return await PresignAsync(request, expiresIn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Presigns <paramref name="request"/>: its method, URL and headers (which whoever uses the URL
    /// must then send, e.g. <c>Content-Type</c> for an upload). The request is not changed.
    /// </summary>
    /// <param name="request">The request to presign; <c>RequestUri</c> must be absolute.</param>
    /// <param name="expiresIn">How long the URL works (at most 7 days); the credential's <c>Expires</c> when null.</param>
    /// <param name="cancellationToken">Cancels reading credentials or hashing the body.</param>
    /// <returns>The URL with <c>X-Amz-*</c> query parameters and the signature.</returns>
    public async ValueTask<Uri> PresignAsync(
        HttpRequestMessage request, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await pipeline.PresignAsync(request, expiresIn, cancellationToken).ConfigureAwait(false);
    }
}
