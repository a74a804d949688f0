using System.Net;
using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.Tests.Support;
using RichardSzalay.MockHttp;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

public sealed class AwsSignatureHandlerTests
{
    private FakeTimeProvider time = null!;

    [SetUp]
    public void SetUp() => time = new FakeTimeProvider(Now);

    [Test]
    public async Task Header_mode_puts_service_and_region_into_the_scope_exactly_as_entered()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("THE_SERVICE"), timeProvider: time));

        await client.GetAsync(new Uri("https://api.example.com/items?id=1"));

        var sent = capture.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Header(sent, "Authorization"), Does.Match(
                "^AWS4-HMAC-SHA256 Credential=AKIDTEST/20241022/us-east-1/THE_SERVICE/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$"));
            Assert.That(Header(sent, "X-Amz-Date"), Is.EqualTo("20241022T100000Z"));
            Assert.That(Header(sent, "x-amz-content-sha256"), Is.Null, "only S3 needs the payload hash header");
        });
    }

    [Test]
    public async Task S3_always_sends_and_signs_the_payload_hash()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("s3"), timeProvider: time));

        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/key"));
        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/key"), new StringContent("hello", Encoding.UTF8, "text/plain"));

        var (get, put) = (capture.Requests[0], capture.Requests[1]);
        Assert.Multiple(() =>
        {
            Assert.That(Header(get, "x-amz-content-sha256"), Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
            Assert.That(Header(put, "x-amz-content-sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData("hello"u8))));
            Assert.That(SignedHeaders(put), Is.EqualTo("content-type;host;x-amz-content-sha256;x-amz-date"));
        });
    }

    [Test]
    public async Task A_session_token_is_sent_and_signed()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("s3", o => o.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"), timeProvider: time));

        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/key"));

        var sent = capture.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Header(sent, "X-Amz-Security-Token"), Is.EqualTo("FwoGZXIvYXdzEXAMPLETOKEN"));
            Assert.That(SignedHeaders(sent), Is.EqualTo("host;x-amz-content-sha256;x-amz-date;x-amz-security-token"));
        });
    }

    [Test]
    public async Task Headers_that_hops_change_are_never_signed_and_others_are()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("s3"), timeProvider: time));
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/key") { Content = new StringContent("x") };
        request.Headers.UserAgent.ParseAdd("my-app/1.0");
        request.Headers.ExpectContinue = true;
        request.Headers.Connection.Add("keep-alive");
        request.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", "Root=1-abc");
        request.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic eDp5");
        request.Headers.TryAddWithoutValidation("X-Amz-Meta-Owner", "team a");

        await client.SendAsync(request);

        Assert.That(SignedHeaders(capture.Requests.Single()), Is.EqualTo("content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner"));
    }

    [Test]
    public async Task Another_service_keeps_and_signs_a_payload_hash_header_the_caller_set()
    {
        var capture = new Capture();
        var handler = new AwsSignatureHandler(Options("glacier"), timeProvider: time) { InnerHandler = capture.Mock };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://glacier.us-east-1.amazonaws.com/-/vaults/v") { Content = new StringContent("x") };
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "caller-computed");

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo("caller-computed"));
            Assert.That(SignedHeaders(request), Is.EqualTo("content-type;host;x-amz-content-sha256;x-amz-date"));
        });
    }

    [Test]
    public async Task Query_mode_presigns_the_url_and_adds_no_header()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(
            Options("s3", o => (o.SignQuery, o.Expires, o.SessionToken) = (true, TimeSpan.FromHours(1), "TOKEN/1+")), timeProvider: time));

        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/a%20key?versionId=3"));

        var sent = capture.Requests.Single();
        var uri = sent.RequestUri!;
        Assert.Multiple(() =>
        {
            Assert.That(Header(sent, "Authorization"), Is.Null);
            Assert.That(Header(sent, "X-Amz-Date"), Is.Null);
            Assert.That(QueryValues(uri, "versionId"), Is.EqualTo(new[] { "3" }));
            Assert.That(QueryValues(uri, "X-Amz-Algorithm"), Is.EqualTo(new[] { "AWS4-HMAC-SHA256" }));
            Assert.That(QueryValues(uri, "X-Amz-Credential"), Is.EqualTo(new[] { "AKIDTEST/20241022/us-east-1/s3/aws4_request" }));
            Assert.That(QueryValues(uri, "X-Amz-Date"), Is.EqualTo(new[] { "20241022T100000Z" }));
            Assert.That(QueryValues(uri, "X-Amz-Expires"), Is.EqualTo(new[] { "3600" }));
            Assert.That(QueryValues(uri, "X-Amz-SignedHeaders"), Is.EqualTo(new[] { "host" }));
            Assert.That(QueryValues(uri, "X-Amz-Security-Token"), Is.EqualTo(new[] { "TOKEN/1+" }));
            Assert.That(QueryValues(uri, "X-Amz-Signature").Single(), Does.Match("^[0-9a-f]{64}$"));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_resent_request_is_signed_again_cleanly(bool signQuery)
    {
        var capture = new Capture();
        var handler = new AwsSignatureHandler(Options("s3", o => (o.SignQuery, o.SessionToken) = (signQuery, "TOKEN")), timeProvider: time) { InnerHandler = capture.Mock };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.amazonaws.com/key?list-type=2");

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        var first = signQuery ? request.RequestUri!.Query : Header(request, "Authorization");
        time.Advance(TimeSpan.FromMinutes(3));
        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        using var fresh = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.amazonaws.com/key?list-type=2");
        (await invoker.SendAsync(fresh, CancellationToken.None)).Dispose();
        Assert.Multiple(() =>
        {
            if (signQuery)
            {
                Assert.That(request.RequestUri, Is.EqualTo(fresh.RequestUri), "the resent request equals a fresh one signed at the same instant");
                Assert.That(request.RequestUri!.Query, Is.Not.EqualTo(first));
                Assert.That(QueryValues(request.RequestUri, "X-Amz-Signature"), Has.Length.EqualTo(1));
                Assert.That(QueryValues(request.RequestUri, "X-Amz-Date"), Is.EqualTo(new[] { "20241022T100300Z" }));
                Assert.That(QueryValues(request.RequestUri, "list-type"), Is.EqualTo(new[] { "2" }));
            }
            else
            {
                foreach (var name in new[] { "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256" })
                {
                    Assert.That(Header(request, name), Is.EqualTo(Header(fresh, name)), name);
                }

                Assert.That(Header(request, "Authorization"), Is.Not.EqualTo(first));
            }
        });
    }

    [Test]
    public async Task A_seekable_stream_is_hashed_rewound_and_sent_whole()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var received = Array.Empty<byte>();
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(async request =>
        {
            received = await request.Content!.ReadAsByteArrayAsync();
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3"), timeProvider: time) { InnerHandler = mock });
        await using var stream = new MemoryStream(bytes);
        stream.Position = 1000;
        using var request = new HttpRequestMessage(HttpMethod.Put, "https://bucket.s3.amazonaws.com/big") { Content = new StreamContent(stream) };

        await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(bytes[1000..]));
            Assert.That(Header(request, "x-amz-content-sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(1000)))));
        });
    }

    [Test]
    public void A_body_that_cannot_be_rewound_is_refused_before_sending_when_the_payload_is_signed()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("s3"), "uploads", timeProvider: time));
        using var content = new StreamContent(new ForwardOnlyStream([1, 2, 3]));

        var error = Assert.ThrowsAsync<CredentialException>(() => client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), content));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'uploads' (AwsSignedRequest)").And.Contain("cannot be rewound").And.Contain("PayloadSigning"));
            Assert.That(capture.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task Unsigned_payload_streams_any_body_over_https_and_hashes_it_over_http()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(Options("s3", o => o.PayloadSigning = AwsPayloadSigning.Unsigned), timeProvider: time));

        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), new StreamContent(new ForwardOnlyStream([1, 2, 3])));
        await client.PutAsync(new Uri("http://127.0.0.1:9000/bucket/k"), new ByteArrayContent([1, 2, 3]));

        Assert.Multiple(() =>
        {
            Assert.That(Header(capture.Requests[0], "x-amz-content-sha256"), Is.EqualTo("UNSIGNED-PAYLOAD"));
            Assert.That(Header(capture.Requests[1], "x-amz-content-sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3 }))));
        });
    }

    [TestCase("Service", null, "Service is required")]
    [TestCase("Region", null, "Region is required")]
    [TestCase("Region", "eu/west", "Region must not contain '/'")]
    [TestCase("AccessKeyId", null, "AccessKeyId is required when SecretAccessKey is set")]
    [TestCase("SecretAccessKey", null, "SecretAccessKey is required")]
    [TestCase("Expires", "8.00:00:00", "Expires must be more than zero and at most 7 days")]
    [TestCase("Expires", "00:00:00", "Expires must be more than zero and at most 7 days")]
    public void Bad_options_fail_naming_credential_and_field_but_never_the_secret(string field, string? value, string expected)
    {
        var options = Options("s3");
        switch (field)
        {
            case "Service": options.Service = value!; break;
            case "Region": options.Region = value!; break;
            case "AccessKeyId": options.AccessKeyId = value; break;
            case "SecretAccessKey": options.SecretAccessKey = value; break;
            default: options.Expires = TimeSpan.Parse(value!, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var error = Assert.Throws<OptionsValidationException>(() => _ = new AwsSignatureHandler(options, "s3"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 's3' (AwsSignedRequest): " + expected));
            Assert.That(error.Message, Does.Not.Contain(Secret));
        });
    }

    [Test]
    public void Seven_days_is_the_longest_expiry_accepted() =>
        Assert.DoesNotThrow(() => _ = new AwsSignatureHandler(Options("s3", o => o.Expires = TimeSpan.FromDays(7))));

    [Test]
    public async Task A_refusal_from_the_server_reaches_the_caller_unchanged()
    {
        var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(HttpStatusCode.Forbidden, "application/xml", "<Error><Code>SignatureDoesNotMatch</Code></Error>");
        using var client = new HttpClient(new AwsSignatureHandler(Options("s3"), timeProvider: time) { InnerHandler = mock });

        using var response = await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
    [Test]
    public async Task Signing_from_many_threads_at_once_gives_what_signing_one_at_a_time_gives()
    {
        // Shared signer state (signing key, date text, per-thread HMAC) must not mix requests or days.
        var options = Options("s3");
        var shared = new AwsSignatureHandler(options, timeProvider: time) { InnerHandler = new Capture().Mock };
        using var invoker = new HttpMessageInvoker(shared);
        var paths = Enumerable.Range(0, 400).Select(i => $"https://bucket.s3.amazonaws.com/object-{i}?part={i % 7}").ToArray();

        var concurrent = await Task.WhenAll(paths.Select(path => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
            return Header(request, "Authorization");
        })));

        var alone = new List<string?>();
        foreach (var path in paths)
        {
            using var single = new HttpMessageInvoker(new AwsSignatureHandler(options, timeProvider: time) { InnerHandler = new Capture().Mock });
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            (await single.SendAsync(request, CancellationToken.None)).Dispose();
            alone.Add(Header(request, "Authorization"));
        }

        Assert.That(concurrent, Is.EqualTo(alone));
        Assert.That(concurrent.Distinct().Count(), Is.EqualTo(paths.Length));
    }
}
