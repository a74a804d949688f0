using System.Globalization;
using System.Net;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>The primary handler of the aws-chunked tests: reads the body as a server would and answers 200.</summary>
internal sealed class ChunkedSink(bool keep = true) : HttpMessageHandler
{
    public byte[] Body { get; private set; } = [];

    public long Decoded { get; private set; }

    public long? ContentLength { get; private set; }

    public string ContentEncoding { get; private set; } = string.Empty;

    public string? ContentType { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            ContentLength = content.Headers.ContentLength;
            ContentEncoding = string.Join(", ", content.Headers.ContentEncoding);
            ContentType = content.Headers.ContentType?.ToString();
            if (keep)
            {
                Body = await content.ReadAsByteArrayAsync(cancellationToken);
            }
            else
            {
                var counter = new CountingStream();
                await content.CopyToAsync(counter, cancellationToken);
                Decoded = long.Parse(request.Headers.GetValues("x-amz-decoded-content-length").Single(), CultureInfo.InvariantCulture);
                Assert.That(counter.Length, Is.EqualTo(content.Headers.ContentLength));
            }
        }

        return new HttpResponseMessage(HttpStatusCode.OK);
    }

    private sealed class CountingStream : Stream
    {
        private long written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => written;

        public override long Position { get => written; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => written += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            written += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
