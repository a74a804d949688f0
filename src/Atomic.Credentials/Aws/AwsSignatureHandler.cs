using Atomic.Credentials.Aws;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// Signs each request with AWS Signature Version 4: an <c>Authorization</c> header, or a
/// presigned query when <see cref="AwsSignedRequestOptions.SignQuery"/> is set. Every send is
/// signed afresh with the current time and credentials; a retried or redirected request is
/// stripped of the previous signature first.
/// </summary>
/// <remarks>
/// The body is hashed as a stream and rewound (seekable content is never buffered). Content that
/// cannot be rewound is refused before sending unless <see cref="AwsSignedRequestOptions.PayloadSigning"/>
/// is <see cref="AwsPayloadSigning.Unsigned"/> and the request goes over https.
/// </remarks>
public sealed class AwsSignatureHandler : DelegatingHandler
{
    private readonly AwsSigningPipeline pipeline;
    private readonly SendDelegate sendInner;
    private readonly CredentialBinding binding = new();

    /// <summary>Creates a handler without dependency injection.</summary>
    /// <param name="options">The credential; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="timeProvider">The clock signatures are dated by.</param>
    /// <param name="loggerFactory">Where the handler logs.</param>
    public AwsSignatureHandler(
        AwsSignedRequestOptions options, string? name = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(
            name ?? AwsSignedRequestOptions.KindName,
            OptionsGate.Fixed(new AwsSignedRequestOptionsValidator(), name ?? AwsSignedRequestOptions.KindName, options),
            timeProvider,
            loggerFactory)
    {
    }

    internal AwsSignatureHandler(
        string name, IOptionsMonitor<AwsSignedRequestOptions> monitor, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        pipeline = new AwsSigningPipeline(
            name, monitor, timeProvider ?? TimeProvider.System, CredentialLoggers.Create<AwsSignatureHandler>(loggerFactory));
        sendInner = base.SendAsync;
    }

    internal AwsSigningPipeline Pipeline => pipeline;

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        pipeline.SendAsync(request, sendInner, binding.Redirects(this, pipeline, request), cancellationToken);
}
