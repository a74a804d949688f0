using System.Net;

namespace Atomic.Credentials.IntegrationTests.Support;

/// <summary>Flips one byte of the body on its way to the socket, after it was signed.</summary>
internal sealed class CorruptingHandler(long offset) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Content = new FlippedContent(request.Content!, offset);
        return base.SendAsync(request, cancellationToken);
    }

    private sealed class FlippedContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly long offset;

        public FlippedContent(HttpContent inner, long offset)
        {
            this.inner = inner;
            this.offset = offset;
            foreach (var header in inner.Headers.NonValidated)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            inner.CopyToAsync(new FlippingStream(stream, offset));

        protected override bool TryComputeLength(out long length)
        {
            length = inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }
    }

    private sealed class FlippingStream(Stream inner, long offset) : Stream
    {
        private long position;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (offset >= position && offset < position + buffer.Length)
            {
                var copy = buffer.ToArray();
                copy[offset - position] ^= 0x01;
                buffer = copy;
            }

            position += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken);
        }
    }
}
