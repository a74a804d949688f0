using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// A multipart upload of a file (S3 takes at most 5 GiB in one PUT): initiate, one PUT per part
/// streamed from its window of the file (seekable, so each part is hashed, rewound and sent with
/// flat memory), complete with the parts' ETags. Any failure aborts the upload, so no parts are
/// left billed in the bucket.
/// </summary>
internal static class S3Multipart
{
    public static async Task<string?> UploadAsync(
        HttpClient client, Uri objectUri, FileStream file, string contentType, long partSize, Func<HttpResponseMessage, string, Task> ensureSuccess,
        CancellationToken cancellationToken)
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
            var length = file.Length;
            for (long offset = 0, number = 1; offset < length; offset += partSize, number++)
            {
                var size = Math.Min(partSize, length - offset);
                using var content = new StreamContent(new FileWindow(file, offset, size), 128 * 1024);
                content.Headers.ContentLength = size;
                using var part = new HttpRequestMessage(HttpMethod.Put, With(objectUri, $"partNumber={number}&{upload}")) { Content = content };
                using var response = await client.SendAsync(part, cancellationToken).ConfigureAwait(false);
                await ensureSuccess(response, $"upload part {number}").ConfigureAwait(false);
                parts.Append(CultureInfo.InvariantCulture, $"<Part><PartNumber>{number}</PartNumber><ETag>{Escape(response.Headers.ETag?.ToString())}</ETag></Part>");
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
            using var abort = await client.DeleteAsync(With(objectUri, upload), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private static Uri With(Uri objectUri, string query) => new(objectUri.OriginalString + "?" + query, UriKind.Relative);

    private static string Escape(string? text) => System.Security.SecurityElement.Escape(text ?? string.Empty);

    private static async Task<string?> ElementAsync(HttpResponseMessage response, string name, CancellationToken cancellationToken) =>
        await S3Xml.FirstElementAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), name).ConfigureAwait(false);

    /// <summary>A seekable window of a file: one part, hashed and rewound by the signer, never buffered.</summary>
    private sealed class FileWindow(FileStream file, long start, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = Math.Clamp(value, 0, length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            file.Position = start + position;
            var read = file.Read(buffer[..(int)Math.Min(buffer.Length, length - position)]);
            position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            file.Position = start + position;
            var read = await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - position)], cancellationToken).ConfigureAwait(false);
            position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
