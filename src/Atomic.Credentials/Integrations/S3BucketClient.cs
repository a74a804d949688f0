using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Atomic.Credentials.Aws;
using Atomic.Credentials.Integrations;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials;

/// <summary>
/// What exports need of an S3 bucket, over an <see cref="HttpClient"/> signed by an
/// <c>S3Bucket</c> credential: put (streamed), get, list by prefix, delete, presigned downloads.
/// </summary>
/// <remarks>
/// Keys are sent as written, each segment percent-encoded (<c>+</c> as <c>%2B</c>, which S3 would
/// otherwise read as a space). A failed request throws <see cref="HttpRequestException"/> with the
/// status code and S3's error code.
/// </remarks>
public sealed class S3BucketClient : IDisposable
{
    private readonly HttpClient client;
    private const long MinPartSize = 5L * 1024 * 1024;
    private readonly AwsRequestPresigner presigner;
    private long partSize = 64L * 1024 * 1024;

    /// <summary>Creates a client over <paramref name="client"/>, whose base address is the bucket's.</summary>
    /// <param name="client">A client with an <c>S3Bucket</c> credential attached (its base address the bucket's).</param>
    /// <param name="presigner">Presigns download URLs with the same credential.</param>
    public S3BucketClient(HttpClient client, AwsRequestPresigner presigner)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(presigner);
        if (client.BaseAddress is null)
        {
            throw new ArgumentException("The client needs the bucket's base address; attach it with AddAtomicCredentialHandler, which sets it.", nameof(client));
        }

        this.client = client;
        this.presigner = presigner;
    }

    /// <summary>Creates a client without dependency injection.</summary>
    /// <param name="options">The bucket; validated at once.</param>
    /// <param name="name">The credential's name in errors and logs.</param>
    /// <param name="innerHandler">What sends the signed requests; a new <see cref="SocketsHttpHandler"/> when null.</param>
    /// <param name="timeProvider">The clock signatures are dated by.</param>
    /// <param name="loggerFactory">Where the credential logs.</param>
    public S3BucketClient(
        S3BucketOptions options, string? name = null, HttpMessageHandler? innerHandler = null,
        TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        name ??= S3BucketOptions.KindName;
        var monitor = new StaticOptionsMonitor<AwsSignedRequestOptions>(OptionsGate.Validated(new S3BucketOptionsValidator(), name, options).ToAws());
        client = new HttpClient(new AwsSignatureHandler(name, monitor, timeProvider, loggerFactory) { InnerHandler = innerHandler ?? new SocketsHttpHandler() })
        {
            BaseAddress = options.BaseAddress,
        };
        presigner = new AwsRequestPresigner(monitor, name, timeProvider, loggerFactory);
    }

    /// <summary>
    /// The client for the <c>S3Bucket</c> credential <paramref name="credentialName"/>, over the
    /// <c>IHttpClientFactory</c> client <paramref name="httpClientName"/> (the credential's name when null)
    /// that has it attached: <c>services.AddHttpClient("exports").AddAtomicCredentialHandler("exports")</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="credentialName">The registered credential.</param>
    /// <param name="httpClientName">The named client it is attached to.</param>
    /// <returns>The bucket client; cheap, make one per use.</returns>
    public static S3BucketClient Create(IServiceProvider services, string credentialName, string? httpClientName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var monitor = Monitor(services.GetRequiredService<IOptionsMonitor<S3BucketOptions>>());
        return new S3BucketClient(
            services.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName ?? credentialName),
            new AwsRequestPresigner(monitor, credentialName, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Files larger than this go up as a multipart upload of <see cref="PartSize"/> parts (S3 takes
    /// at most 5 GiB in one PUT). Default 1 GiB.
    /// </summary>
    public long MultipartThreshold { get; set; } = 1L << 30;

    /// <summary>The size of each part of a multipart upload, at least 5 MiB (S3's minimum). Default 64 MiB.</summary>
    public long PartSize
    {
        get => partSize;
        set => partSize = value >= MinPartSize ? value : throw new ArgumentOutOfRangeException(nameof(value), "S3 parts are at least 5 MiB.");
    }

    /// <summary>Uploads a file, streamed from disk (never loaded in memory); in parts above <see cref="MultipartThreshold"/>.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="path">The file.</param>
    /// <param name="contentType">Its media type; <c>application/octet-stream</c> when null.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The object's ETag.</returns>
    public async Task<string?> PutFileAsync(string key, string path, string? contentType = null, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await PutStreamAsync(key, file, contentType, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Uploads <paramref name="content"/> from its current position to its end, of any length. A
    /// seekable stream goes up as <see cref="PutFileAsync"/> sends a file: one PUT, or in parts above
    /// <see cref="MultipartThreshold"/>, never buffered. A stream that cannot seek (a network body, a
    /// compressor's output) is read one <see cref="PartSize"/> part at a time into a pooled buffer,
    /// the memory it holds: one PUT when it ends within the first part, otherwise a multipart upload,
    /// each part sent before the next is read. A failure or cancellation aborts a multipart upload.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <param name="content">The bytes; read to its end, not disposed.</param>
    /// <param name="contentType">Its media type; <c>application/octet-stream</c> when null.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The object's ETag.</returns>
    public async Task<string?> PutStreamAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek)
        {
            return content.Length - content.Position > MultipartThreshold
                ? await MultipartAsync(key, contentType, new S3StreamWindows(content, PartSize).NextAsync, cancellationToken).ConfigureAwait(false)
                : await PutObjectAsync(key, content, contentType, cancellationToken).ConfigureAwait(false);
        }

        using var parts = new S3BufferedParts(content, PartSize);
        if (await parts.ReadFirstAsync(cancellationToken).ConfigureAwait(false))
        {
            return await MultipartAsync(key, contentType, parts.NextAsync, cancellationToken).ConfigureAwait(false);
        }

        // The whole body fits in one part: a seekable view of the buffer, hashed and signed like any.
        using var whole = parts.FirstAsStream();
        return await PutObjectAsync(key, whole, contentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads <paramref name="content"/> from its current position, streamed. A seekable stream is
    /// hashed for the signature and rewound; one that cannot be rewound needs <c>PayloadSigning: Unsigned</c> over https.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <param name="content">The bytes; not disposed.</param>
    /// <param name="contentType">Its media type; <c>application/octet-stream</c> when null.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The object's ETag.</returns>
    public async Task<string?> PutObjectAsync(string key, Stream content, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var body = new StreamContent(new NonClosing(content), 128 * 1024);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        if (content.CanSeek)
        {
            body.Headers.ContentLength = content.Length - content.Position;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, ObjectUri(key)) { Content = body };
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "PUT", key, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag?.ToString();
    }

    /// <summary>Downloads an object; read its content as a stream, then dispose the response.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, its headers read and its body not yet.</returns>
    public async Task<HttpResponseMessage> GetObjectAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await client.GetAsync(ObjectUri(key), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, "GET", key, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Lists the objects whose keys start with <paramref name="prefix"/>, page by page (ListObjectsV2).</summary>
    /// <param name="prefix">The key prefix; every object when null.</param>
    /// <param name="pageSize">Objects per request, at most 1000.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The objects in key order.</returns>
    public async IAsyncEnumerable<S3ObjectInfo> ListObjectsAsync(
        string? prefix = null, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        string? token = null;
        do
        {
            var query = $"?list-type=2&max-keys={pageSize}"
                + (string.IsNullOrEmpty(prefix) ? "" : "&prefix=" + Uri.EscapeDataString(prefix))
                + (token is null ? "" : "&continuation-token=" + Uri.EscapeDataString(token));
            using var response = await client.GetAsync(new Uri(BucketUri() + query), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "LIST", prefix ?? "", cancellationToken).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var page = await S3ListPage.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Objects)
            {
                yield return item;
            }

            token = page.NextContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>Deletes an object (S3 answers the same whether it existed or not).</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when S3 has answered.</returns>
    public async Task DeleteObjectAsync(string key, CancellationToken cancellationToken = default)
    {
        using var response = await client.DeleteAsync(ObjectUri(key), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, "DELETE", key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A URL anyone can download the object from, without credentials, until it expires.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="expiresIn">How long it works (at most 7 days); the credential's <c>PresignedUrlExpiry</c> when null.</param>
    /// <param name="cancellationToken">Cancels reading credentials from AWS's default chain.</param>
    /// <returns>The presigned URL.</returns>
    public ValueTask<Uri> PresignDownloadAsync(string key, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default) =>
        presigner.PresignAsync(HttpMethod.Get, new Uri(client.BaseAddress!, ObjectUri(key)), expiresIn, cancellationToken);

    /// <summary>Disposes the HTTP client (a factory's client may be disposed freely).</summary>
    public void Dispose() => client.Dispose();

    /// <summary>The key as a URI relative to the bucket: each '/'-separated segment percent-encoded.</summary>
    internal static Uri ObjectUri(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var segments = key.Split('/');
        if (segments.Any(segment => segment is "." or ".."))
        {
            // A URI resolves them away ("a/../b" is "b"): the request would act on another object.
            throw new ArgumentException("The key has a '.' or '..' segment, which a URL cannot carry: the request would address another object.", nameof(key));
        }

        return new Uri(string.Join('/', segments.Select(Uri.EscapeDataString)), UriKind.Relative);
    }

    // The bucket itself: "/" virtual-hosted, "/bucket" (no trailing slash, as S3 servers sign it) path style.
    private string BucketUri()
    {
        var bucket = client.BaseAddress!.AbsoluteUri;
        return client.BaseAddress.AbsolutePath == "/" ? bucket : bucket.TrimEnd('/');
    }

    private Task<string?> MultipartAsync(
        string key, string? contentType, Func<CancellationToken, ValueTask<HttpContent?>> nextPart, CancellationToken cancellationToken) =>
        S3Multipart.UploadAsync(
            client, ObjectUri(key), contentType ?? "application/octet-stream", nextPart,
            (response, operation) => EnsureSuccessAsync(response, operation, key, cancellationToken), cancellationToken);

    internal static DerivedOptionsMonitor<S3BucketOptions, AwsSignedRequestOptions> Monitor(IOptionsMonitor<S3BucketOptions> options) =>
        new(options, bucket => bucket.ToAws());

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string key, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        // S3's <Code> says what went wrong (NoSuchKey, SignatureDoesNotMatch…); the rest of the body is not quoted.
        var code = await S3Error.CodeAsync(response, cancellationToken).ConfigureAwait(false);
        throw new HttpRequestException(
            $"S3 {operation} '{key}' failed: {(int)response.StatusCode} {response.StatusCode}{(code is null ? "" : ", " + code)}.",
            null,
            response.StatusCode);
    }

    /// <summary>Leaves the caller's stream open when the request content is disposed.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
