using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// A multipart upload (S3 takes at most 5 GiB in one PUT): initiate, one PUT per part as the part
/// source hands them over, complete with the parts' ETags. Any failure or cancellation aborts the
/// upload (best effort), so no parts are left billed in the bucket, and the original exception is
/// what the caller sees.
/// </summary>
internal static class S3Multipart
{
    // S3's limit: a part number is 1 to 10,000.
    private const int MaxParts = 10_000;

    /// <param name="client">The signed bucket client.</param>
    /// <param name="objectUri">The object, relative to the bucket.</param>
    /// <param name="contentType">The object's media type (given when the upload is initiated).</param>
    /// <param name="nextPart">The next part's content, null after the last; each is sent and disposed before the next is asked for.</param>
    /// <param name="ensureSuccess">Throws for a failed answer, naming the operation.</param>
    /// <param name="cancellationToken">Cancels the upload (which is then aborted).</param>
    public static async Task<string?> UploadAsync(
        HttpClient client, Uri objectUri, string contentType, Func<CancellationToken, ValueTask<HttpContent?>> nextPart,
        Func<HttpResponseMessage, string, Task> ensureSuccess, CancellationToken cancellationToken)
    {
        string uploadId;
        using (var initiate = new HttpRequestMessage(HttpMethod.Post, With(objectUri, "uploads")) { Content = new ByteArrayContent([]) })
        {
            initiate.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await client.SendAsync(initiate, cancellationToken).ConfigureAwait(false);
            await ensureSuccess(response, "initiate multipart upload").ConfigureAwait(false);
            uploadId = await ElementAsync(response, "UploadId", cancellationToken).ConfigureAwait(false)
                ?? throw new HttpRequestException("S3 did not answer the multipart upload with an UploadId.");
        }

        var upload = "uploadId=" + Uri.EscapeDataString(uploadId);
        try
        {
            var parts = new StringBuilder("<CompleteMultipartUpload>");
            for (var number = 1; await nextPart(cancellationToken).ConfigureAwait(false) is { } content; number++)
            {
                using (content)
                {
                    if (number > MaxParts)
                    {
                        throw new InvalidOperationException($"S3 takes at most {MaxParts:N0} parts in one upload: raise PartSize. The upload was aborted.");
                    }

                    using var part = new HttpRequestMessage(HttpMethod.Put, With(objectUri, $"partNumber={number}&{upload}")) { Content = content };
                    using var response = await client.SendAsync(part, cancellationToken).ConfigureAwait(false);
                    await ensureSuccess(response, $"upload part {number}").ConfigureAwait(false);
                    parts.Append(CultureInfo.InvariantCulture, $"<Part><PartNumber>{number}</PartNumber><ETag>{Escape(response.Headers.ETag?.ToString())}</ETag></Part>");
                }
            }

            parts.Append("</CompleteMultipartUpload>");
            using var complete = new HttpRequestMessage(HttpMethod.Post, With(objectUri, upload))
            {
                Content = new StringContent(parts.ToString(), Encoding.UTF8, "application/xml"),
            };
            using var completed = await client.SendAsync(complete, cancellationToken).ConfigureAwait(false);
            await ensureSuccess(completed, "complete multipart upload").ConfigureAwait(false);

            // S3 may answer 200 and still fail: the error is then in the body.
            if (await ElementAsync(completed, "ETag", cancellationToken).ConfigureAwait(false) is not { } etag)
            {
                throw new HttpRequestException("S3 did not complete the multipart upload.");
            }

            return etag;
        }
        catch
        {
            await AbortAsync(client, With(objectUri, upload)).ConfigureAwait(false);
            throw;
        }
    }

    // Best effort: the caller gets the failure that stopped the upload, not the abort's. Not cancellable:
    // a cancelled upload is exactly one to abort.
    private static async Task AbortAsync(HttpClient client, Uri upload)
    {
        try
        {
            using var aborted = await client.DeleteAsync(upload, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception abortFailure) when (abortFailure is HttpRequestException or CredentialException or OperationCanceledException or IOException)
        {
            // The parts stay until the bucket's lifecycle rule for incomplete uploads removes them.
        }
    }

    private static Uri With(Uri objectUri, string query) => new(objectUri.OriginalString + "?" + query, UriKind.Relative);

    private static string Escape(string? text) => System.Security.SecurityElement.Escape(text ?? string.Empty);

    // An answer that is not XML (an empty body from a proxy or a stand-in) has no such element: the
    // caller then throws an HttpRequestException that says which answer was missing.
    private static async Task<string?> ElementAsync(HttpResponseMessage response, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await S3Xml.FirstElementAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), name).ConfigureAwait(false);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}
