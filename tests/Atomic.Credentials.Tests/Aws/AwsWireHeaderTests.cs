using System.Net.Http.Headers;
using System.Text;
using Atomic.Credentials.Aws;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The signed header block is the one a verifier makes of what it receives: each request is signed,
/// sent by HttpClient to a loopback socket, and its canonical headers are compared with the spec's
/// canonicalization of the raw header lines that arrived.
/// </summary>
[NonParallelizable]
public sealed class AwsWireHeaderTests
{
    private WireCapture wire = null!;

    [OneTimeSetUp]
    public void Start() => wire = new WireCapture();

    [OneTimeTearDown]
    public void Stop() => wire.Dispose();

    public static IEnumerable<TestCaseData> Requests()
    {
        yield return Case("two values with runs of spaces", r => r.Headers.TryAddWithoutValidation("X-Custom", ["  spaced   value  ", "  spaced   value  "]));
        yield return Case("two values with a space at the join", r => r.Headers.TryAddWithoutValidation("X-Custom", ["a ", " b"]));
        yield return Case("empty values among others", r => r.Headers.TryAddWithoutValidation("X-Empty", ["", "b", ""]));
        yield return Case("values added one call at a time, names in two cases", r =>
        {
            r.Headers.Add("X-Amz-Meta-Tags", " first  value ");
            r.Headers.TryAddWithoutValidation("x-amz-meta-tags", "second\tvalue ");
        });
        yield return Case("tabs and an obs-fold line break", r => r.Headers.TryAddWithoutValidation("X-Folded", ["a\t\tb", "c\r\n d"]));
        yield return Case("cookies joined by '; '", r => r.Headers.TryAddWithoutValidation("Cookie", ["a=1 ", "b=2", " c=3"]));
        yield return Case("typed values of a known header", r =>
        {
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain", 0.5));
            r.Headers.TryAddWithoutValidation("Accept", "  application/json ");
        });
        yield return Case("StringContent's Content-Type", r => r.Content = new StringContent("hello", Encoding.UTF8, "text/plain"));
        yield return Case("a Content-Type added as text, read as typed after signing", r =>
        {
            r.Content = new ByteArrayContent([1, 2]);
            r.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain;charset=UTF-8");
        }, after: r => _ = r.Content!.Headers.ContentType);
        yield return Case("content headers with two values", r =>
        {
            r.Content = new ByteArrayContent([1, 2]);
            r.Content.Headers.TryAddWithoutValidation("Content-Language", ["en ", " de"]);
        });
        yield return Case("a Content-Length added as text", r =>
        {
            r.Content = new ByteArrayContent([1, 2]);
            r.Content.Headers.TryAddWithoutValidation("Content-Length", " 02");
        });
        yield return Case("a Content-Length known before signing", r =>
        {
            r.Content = new ByteArrayContent([1, 2, 3]);
            _ = r.Content.Headers.ContentLength;
        });
        yield return Case("a chunked body whose length was known before signing", r =>
        {
            r.Content = new ByteArrayContent([1, 2, 3]);
            _ = r.Content.Headers.ContentLength;
            r.Headers.TransferEncodingChunked = true;
        });
        yield return Case("an IDN host", uri: "http://Bücher.example/x");
        yield return Case("an IDN host and a port", uri: "http://bücher.example:8081/x");
        yield return Case("the other scheme's default port", uri: "http://example.com:443/x");
        yield return Case("an IPv6 literal with a zone", uri: "http://[fe80::1%25eth0]:8080/x");
        yield return Case("an IPv6 literal", uri: "http://[2001:db8::1]/x");
        yield return Case("a host name ending in a dot", uri: "http://example.com./x");
        yield return Case("a Host header set with spaces", r => r.Headers.TryAddWithoutValidation("Host", " example.com:81 "));
    }

    [TestCaseSource(nameof(Requests))]
    public async Task The_signed_headers_are_the_received_headers(string uri, Action<HttpRequestMessage> build, Action<HttpRequestMessage>? after)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uri);
        build(request);
        var trace = new SigV4Trace();
        var payload = request.Content is null ? PayloadHash.Empty : PayloadHash.Unsigned;
        new SigV4Signer("us-east-1", "s3").SignHeaders(request, new SigV4Request(new AwsKeys("AKID", Secret, null), Now, payload) { PayloadHashHeader = true, Trace = trace });
        after?.Invoke(request);

        var received = await wire.SendAsync(request);

        var lines = trace.CanonicalRequest!.Split('\n');
        var names = lines[^2].Split(';');
        var signedBlock = string.Concat(lines.Skip(3).Take(names.Length).Select(line => line + "\n"));
        Assert.That(signedBlock, Is.EqualTo(received.CanonicalHeaders(names)), received.Head);
    }

    [Test]
    public void Single_valued_headers_are_signed_without_allocating()
    {
        // (Several values of one header come from HttpClient as a new string[] each time they are read: its allocation, not ours.)
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.amazonaws.com/key");
        request.Headers.TryAddWithoutValidation("X-Amz-Meta-Note", " one   value ");
        request.Headers.TryAddWithoutValidation("X-Amz-Meta-Tabbed", "\ta\t\tb ");
        var canonical = new PooledBytes(1024);
        var signed = new PooledBytes(256);
        try
        {
            SigV4Headers.Append(request, ref canonical, ref signed);
            canonical.Reset();
            signed.Reset();
            var before = GC.GetAllocatedBytesForCurrentThread();
            SigV4Headers.Append(request, ref canonical, ref signed);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Multiple(() =>
            {
                Assert.That(Encoding.UTF8.GetString(canonical.Written), Is.EqualTo("host:bucket.s3.amazonaws.com\nx-amz-meta-note:one value\nx-amz-meta-tabbed:a b\n"));
                Assert.That(allocated, Is.Zero);
            });
        }
        finally
        {
            canonical.Dispose();
            signed.Dispose();
        }
    }

    private static TestCaseData Case(string name, Action<HttpRequestMessage>? build = null, Action<HttpRequestMessage>? after = null, string uri = "http://example.com/x") =>
        new TestCaseData(uri, build ?? (_ => { }), after).SetName(name);
}
