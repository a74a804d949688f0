using System.Security.Cryptography;
using System.Text;
using System.Web;

namespace Atomic.Credentials.Tests.Aws;

internal static class AwsTestSupport
{
    public const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY";

    public static readonly DateTimeOffset Now = new(2024, 10, 22, 10, 0, 0, TimeSpan.Zero);

    public static AwsSignedRequestOptions Options(string service = "s3", Action<AwsSignedRequestOptions>? configure = null)
    {
        var options = new AwsSignedRequestOptions { AccessKeyId = "AKIDTEST", SecretAccessKey = Secret, Service = service, Region = "us-east-1" };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>kSigning by the spec: HMAC("AWS4" + secret, date), then region, service, "aws4_request".</summary>
    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join("|", values) : null;

    public static string[] QueryValues(Uri uri, string name) =>
        HttpUtility.ParseQueryString(uri.Query).GetValues(name) ?? [];

    public static string SignedHeaders(HttpRequestMessage request)
    {
        var authorization = Header(request, "Authorization")!;
        var start = authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + "SignedHeaders=".Length;
        return authorization[start..authorization.IndexOf(',', start)];
    }

    /// <summary>A body that cannot be rewound, of known length (<c>Content-Length</c> set).</summary>
    public static StreamContent Forward(byte[] body)
    {
        var content = new StreamContent(new ForwardOnlyStream(body));
        content.Headers.ContentLength = body.Length;
        return content;
    }

    /// <summary>A body that can be read once, like a network stream.</summary>
    public sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Length => throw new NotSupportedException();
    }
}
