using System.Net;
using System.Text;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.Tests.Integrations;

/// <summary>
/// What s3rver cannot show (it has no AbortMultipartUpload nor a list of uploads in progress): the
/// abort names the upload S3 gave, and its own failure never replaces the failure that stopped the upload.
/// </summary>
public sealed class S3StreamUploadAbortTests
{
    private const long Part = 5L << 20;

    [Test]
    public void A_failed_part_aborts_the_upload_by_its_id_and_the_parts_failure_is_thrown_even_when_the_abort_fails()
    {
        var uploadId = "upload-" + Guid.NewGuid().ToString("N");
        var s3 = new FakeS3(uploadId, failPart: 2);
        using var bucket = Bucket(s3);

        var error = Assert.ThrowsAsync<HttpRequestException>(() => bucket.PutStreamAsync("exports/x.bin", new GeneratedStream((3 * Part) + 1)));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(error.Message, Does.Contain("upload part 2").And.Contain("InternalError"));
            Assert.That(s3.Requests, Is.EqualTo(new[]
            {
                "POST /exports/x.bin?uploads",
                $"PUT /exports/x.bin?partNumber=1&uploadId={uploadId}",
                $"PUT /exports/x.bin?partNumber=2&uploadId={uploadId}",
                $"DELETE /exports/x.bin?uploadId={uploadId}",
            }));
        });
    }

    [Test]
    public void A_part_size_no_array_can_hold_is_refused_for_a_stream_of_unknown_length_naming_the_field()
    {
        using var bucket = Bucket(new FakeS3("unused", failPart: 0));
        bucket.PartSize = (long)Array.MaxLength + 1;

        var error = Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => bucket.PutStreamAsync("x.bin", new GeneratedStream(10)));

        Assert.That(error!.Message, Does.Contain("PartSize must be at most"));
    }

    private static S3BucketClient Bucket(FakeS3 s3) => new(
        new S3BucketOptions { BucketName = "exports-bucket", Region = "eu-west-1", AccessKeyId = "AKIDABORTTEST", SecretAccessKey = "abort/secret+KEY" },
        "abort",
        s3)
    {
        PartSize = Part,
    };

    /// <summary>Answers the multipart steps; one part fails with a 500, and the abort fails at the transport.</summary>
    private sealed class FakeS3(string uploadId, int failPart) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = request.RequestUri!.Query;
            Requests.Add($"{request.Method} {request.RequestUri.AbsolutePath}{query}");
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            if (request.Method == HttpMethod.Delete)
            {
                throw new HttpRequestException("the network is down for the abort");
            }

            if (query == "?uploads")
            {
                return Xml($"<InitiateMultipartUploadResult><UploadId>{uploadId}</UploadId></InitiateMultipartUploadResult>");
            }

            return query.StartsWith($"?partNumber={failPart}&", StringComparison.Ordinal)
                ? new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("<Error><Code>InternalError</Code></Error>", Encoding.UTF8, "application/xml") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Headers = { ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"etag\"") } };
        }

        private static HttpResponseMessage Xml(string body) =>
            new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/xml") };
    }
}
