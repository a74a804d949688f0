using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Atomic.Credentials.Diagnostics;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The one SigV4 signing service: as a credential pipeline, every send (a retry, a same-origin
/// redirect) is signed afresh after everything a previous signature put on the request is taken
/// off; <see cref="PresignAsync"/> signs a URL with the same state, guard and refusal path (counted
/// and logged like a refused request). Behind <see cref="AwsSignatureHandler"/> and <see cref="AwsRequestPresigner"/>.
/// </summary>
internal sealed class AwsSigningPipeline(string name, IOptionsMonitor<AwsSignedRequestOptions> monitor, TimeProvider time, ILogger logger)
    : CredentialPipeline<AwsSignedRequestOptions, AwsSigningState>(name, AwsSignedRequestOptions.KindName, monitor, logger)
{
    public TimeProvider Time { get; } = time;

    /// <summary>
    /// Returns <paramref name="request"/>'s URL presigned for <paramref name="expiresIn"/> (the
    /// credential's <c>Expires</c> when null), leaving the request as it was.
    /// </summary>
    public async ValueTask<Uri> PresignAsync(HttpRequestMessage request, TimeSpan? expiresIn, CancellationToken cancellationToken)
    {
        var state = Current;
        var expires = expiresIn ?? TimeSpan.FromSeconds(state.ExpiresSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(expires, TimeSpan.FromSeconds(1), nameof(expiresIn));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expires, AwsSignedRequestOptions.MaxExpires, nameof(expiresIn));
        if (state.Guard.Check(request.RequestUri) is { } reason)
        {
            throw Refused(request.RequestUri, reason, presigning: true);
        }

        var original = request.RequestUri!;
        Strip(state, request);
        try
        {
            return (await SignAsync(state, request, query: true, (long)expires.TotalSeconds, cancellationToken).ConfigureAwait(false))!;
        }
        finally
        {
            request.RequestUri = original;
        }
    }

    /// <summary>Signs <paramref name="request"/> in place (header mode) or returns its presigned URI (query mode).</summary>
    public ValueTask<Uri?> SignAsync(AwsSigningState state, HttpRequestMessage request, bool query, long expiresSeconds, CancellationToken cancellationToken)
    {
        // Explicit keys and a payload hash known without reading a body (no body, or UNSIGNED-PAYLOAD):
        // everything is at hand, and the signature is made without an async step. The default chain
        // is never read here: its work (a refresh, IMDS or STS calls) belongs inside the signing span.
        if (state.Credentials.TryGetExplicit(out var keys) && PayloadAtHand(state, request, query) is { } payload)
        {
            using var activity = StartSigning();
            return ValueTask.FromResult(Sign(state, request, query, expiresSeconds, keys, payload));
        }

        return SignSlowAsync(state, request, query, expiresSeconds, cancellationToken);
    }

    private async ValueTask<Uri?> SignSlowAsync(
        AwsSigningState state, HttpRequestMessage request, bool query, long expiresSeconds, CancellationToken cancellationToken)
    {
        using var activity = StartSigning();
        AwsKeys keys;
        try
        {
            keys = await state.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            CredentialsTelemetry.Failures.Add(1, CredentialsTelemetry.CredentialTag(Name), CredentialsTelemetry.KindTag(Kind));
            Log.AwsCredentialsUnavailable(Logger, Name, Kind, exception);
            throw new CredentialException(Name, Kind, "AWS credentials could not be read from the default credential chain (environment, profile, SSO, container or instance role). The request was not sent.", exception);
        }

        var payload = PayloadAtHand(state, request, query) ?? await PayloadFromBodyAsync(state, request, query, cancellationToken).ConfigureAwait(false);
        return Sign(state, request, query, expiresSeconds, keys, payload);
    }

    private Activity? StartSigning()
    {
        var activity = CredentialsTelemetry.ActivitySource.StartActivity("atomic.credentials.aws.sign", ActivityKind.Internal);
        activity?.SetTag("atomic.credential.name", Name);
        return activity;
    }

    private Uri? Sign(AwsSigningState state, HttpRequestMessage request, bool query, long expiresSeconds, in AwsKeys keys, string payload)
    {
        var now = Time.GetUtcNow();
        if (CredentialsTelemetry.MaterialRequests.Enabled)
        {
            CredentialsTelemetry.MaterialRequests.Add(1, CredentialsTelemetry.CredentialTag(Name), CredentialsTelemetry.KindTag(Kind));
        }
        if (query)
        {
            return state.Signer.SignQuery(request, new SigV4Request(keys, now, payload) { ExpiresSeconds = expiresSeconds });
        }

        var streaming = ReferenceEquals(payload, state.Signer.StreamingPayload);
        var chunked = streaming || ReferenceEquals(payload, PayloadHash.StreamingUnsignedTrailer);
        state.Signer.SignHeaders(request, new SigV4Request(keys, now, payload) { PayloadHashHeader = state.Signer.IsS3 || chunked });
        if (streaming)
        {
            // The chunks chain from the headers' signature: the hex after the last '=' of Authorization
            // (64 characters for SigV4, at most 144 for SigV4a's DER).
            var authorization = request.Headers.NonValidated[HeaderNames.Authorization].ToString();
            ((AwsChunkedContent)request.Content!).Signer = state.Signer.ChunkSigner(keys, now, authorization.AsSpan(authorization.LastIndexOf('=') + 1));
        }

        return null;
    }

    /// <summary>Takes off the request every header and query parameter a signature by this state adds.</summary>
    /// <remarks>
    /// <c>x-amz-content-sha256</c> is ours only for S3; another service's caller may set it (Glacier
    /// requires it), and then it stays and is signed like any other header.
    /// </remarks>
    public static void Strip(AwsSigningState state, HttpRequestMessage request)
    {
        var headers = request.Headers;

        // A chunked body's headers are ours (a 303 turns the request into a GET without them); one not yet
        // sent goes back to what the caller gave, to be chunked again with the next signature.
        if (request.Content is AwsChunkedContent chunked)
        {
            headers.Remove(SigV4Signer.DecodedLengthHeader);
            headers.Remove(SigV4Signer.TrailerHeader);
            headers.Remove(SigV4Signer.ContentSha256Header);
            if (!chunked.Started)
            {
                request.Content = chunked.Original;
            }
        }

        // Each Remove parses its name and searches the headers: only those present are removed, found in one
        // pass over the few headers a request has (a first send usually has none of them).
        var found = Ours.None;
        var others = 0;
        foreach (var header in headers.NonValidated)
        {
            var ours = OursNamed(header.Key, state.Signer.IsS3, state.Signer.MultiRegion is not null);
            found |= ours;
            others += ours == Ours.None ? 1 : 0;
        }

        // A re-send of a request that carries nothing but a previous signature's headers: all of them go at once.
        if (found != Ours.None && others == 0)
        {
            headers.Clear();
        }
        else if (found != Ours.None)
        {
            RemoveIf(headers, found, Ours.Authorization, HeaderNames.Authorization);
            RemoveIf(headers, found, Ours.Date, SigV4Signer.DateHeader);
            RemoveIf(headers, found, Ours.SecurityToken, SigV4Signer.SecurityTokenHeader);
            RemoveIf(headers, found, Ours.ContentSha256, SigV4Signer.ContentSha256Header);
            RemoveIf(headers, found, Ours.RegionSet, SigV4aSigning.RegionSetHeader);
        }

        if (request.RequestUri is { IsAbsoluteUri: true } uri && uri.Query.Contains("X-Amz-", StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = PresignedQuery.Without(uri);
        }
    }

    [Flags]
    private enum Ours
    {
        None = 0,
        Authorization = 1,
        Date = 2,
        SecurityToken = 4,
        ContentSha256 = 8,
        RegionSet = 16,
    }

    // Which of the headers a signature adds (and Strip takes off) this name is, if any; x-amz-content-sha256 is ours
    // on S3 only, X-Amz-Region-Set with SigV4a only.
    // The length picks the one or two names a header can be (each compared once), the usual header none at all.
    private static Ours OursNamed(string name, bool s3, bool multiRegion) => name.Length switch
    {
        13 when name.Equals(HeaderNames.Authorization, StringComparison.OrdinalIgnoreCase) => Ours.Authorization,
        10 when name.Equals(SigV4Signer.DateHeader, StringComparison.OrdinalIgnoreCase) => Ours.Date,
        20 when name.Equals(SigV4Signer.SecurityTokenHeader, StringComparison.OrdinalIgnoreCase) => Ours.SecurityToken,
        20 when s3 && name.Equals(SigV4Signer.ContentSha256Header, StringComparison.OrdinalIgnoreCase) => Ours.ContentSha256,
        16 when multiRegion && name.Equals(SigV4aSigning.RegionSetHeader, StringComparison.OrdinalIgnoreCase) => Ours.RegionSet,
        _ => Ours.None,
    };

    private static void RemoveIf(HttpRequestHeaders headers, Ours found, Ours which, string name)
    {
        if ((found & which) != 0)
        {
            headers.Remove(name);
        }
    }

    protected override AwsSigningState CreateState(AwsSignedRequestOptions options)
    {
        var state = new AwsSigningState(options);
        if (state.Credentials.IsDefaultChain)
        {
            Log.AwsDefaultChain(Logger, Name, Kind, options.Service, options.Region);
        }

        return state;
    }

    protected override ValueTask ApplyAsync(AwsSigningState state, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Strip(state, request);
        var signing = SignAsync(state, request, state.SignQuery, state.ExpiresSeconds, cancellationToken);
        if (!signing.IsCompletedSuccessfully)
        {
            return PresignedAsync(signing, request);
        }

        if (signing.Result is { } presigned)
        {
            request.RequestUri = presigned;
        }

        return ValueTask.CompletedTask;
    }

    private static async ValueTask PresignedAsync(ValueTask<Uri?> signing, HttpRequestMessage request)
    {
        if (await signing.ConfigureAwait(false) is { } presigned)
        {
            request.RequestUri = presigned;
        }
    }

    protected override void Remove(AwsSigningState state, HttpRequestMessage request) => Strip(state, request);

    // The payload hash when it is known without reading the body; null when the body must be hashed.
    private static string? PayloadAtHand(AwsSigningState state, HttpRequestMessage request, bool query)
    {
        // A presigned S3 URL is used by whoever holds it, with whatever body: S3 expects it unsigned.
        if (query && state.Signer.IsS3)
        {
            return PayloadHash.Unsigned;
        }

        if (request.Content is null)
        {
            return PayloadHash.Empty;
        }

        return state.UnsignedPayload && request.RequestUri!.Scheme == Uri.UriSchemeHttps ? PayloadHash.Unsigned : null;
    }

    private async ValueTask<string> PayloadFromBodyAsync(AwsSigningState state, HttpRequestMessage request, bool query, CancellationToken cancellationToken)
    {
        if (state.UnsignedPayload)
        {
            // Over plain http the body is signed all the same: nothing else protects it.
            Log.AwsUnsignedPayloadOverHttp(Logger, Name, Kind, request.Method, request.RequestUri!.IdnHost);
        }

        // Only a request with content gets here: PayloadAtHand answers for one without.
        var content = request.Content!;
        if (content is AwsChunkedContent)
        {
            // Strip unwraps a chunked body not yet sent: this one was, and its stream is spent.
            throw new CredentialException(Name, Kind,
                "The request body cannot be rewound and was already sent once as aws-chunked, so it cannot be signed and sent again "
                + "(a retry or a redirect). Send seekable content to allow resending. The request was not sent again.");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (stream.CanSeek && state.ChunkedUpload != AwsChunkedUpload.Always)
        {
            return await PayloadHash.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        // Header mode, a known length: chunks, read and sent once (a presigned URL cannot stream). Unsigned
        // chunks with a checksum trailer over https only: over plain http nothing else would protect them.
        if (!query && state.ChunkedUpload != AwsChunkedUpload.Never && content.Headers.ContentLength is { } length)
        {
            var trailer = state.ChecksumTrailer && request.RequestUri!.Scheme == Uri.UriSchemeHttps ? new ChecksumTrailer(state.TrailerChecksum) : null;
            request.Content = new AwsChunkedContent(content, stream, length, state.ChunkSize, trailer, state.Signer.ChunkSignatureWidth);
            request.Headers.TryAddWithoutValidation(SigV4Signer.DecodedLengthHeader, length.ToString(CultureInfo.InvariantCulture));
            if (trailer is null)
            {
                return state.Signer.StreamingPayload;
            }

            request.Headers.TryAddWithoutValidation(SigV4Signer.TrailerHeader, trailer.Name);
            return PayloadHash.StreamingUnsignedTrailer;
        }

        if (stream.CanSeek)
        {
            return await PayloadHash.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        Log.AwsBodyNotSeekable(Logger, Name, Kind, request.Method, request.RequestUri!.IdnHost);
        throw new CredentialException(Name, Kind,
            "The request body cannot be rewound, so its SHA-256 cannot be signed without buffering it, and it cannot be sent as "
            + "aws-chunked signed chunks either (that needs header signing, ChunkedUpload other than Never, and a known length: "
            + "set Content-Length on the content). Send seekable content (a FileStream or MemoryStream in StreamContent, "
            + "ByteArrayContent, StringContent), give its length, or set PayloadSigning to Unsigned "
            + "(UNSIGNED-PAYLOAD, https only, accepted by S3). The request was not sent.");
    }
}
