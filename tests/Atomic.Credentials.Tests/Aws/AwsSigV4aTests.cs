using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.Aws;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// SigV4a through the handler and the presigner: the region set sent and signed, an
/// AWS4-ECDSA-P256-SHA256 signature that verifies with the key the spec derives (rebuilt apart
/// from the library by <see cref="SigV4aReference"/>), session tokens, resending, bad options.
/// </summary>
public sealed class AwsSigV4aTests
{
    private FakeTimeProvider time = null!;

    [SetUp]
    public void SetUp() => time = new FakeTimeProvider(Now);

    private static AwsSignedRequestOptions MultiRegion(Action<AwsSignedRequestOptions>? configure = null) =>
        Options("s3", o =>
        {
            (o.SigningAlgorithm, o.RegionSet, o.Region) = (AwsSigningAlgorithm.SigV4a, ["us-east-1", "eu-west-1"], string.Empty);
            configure?.Invoke(o);
        });

    [Test]
    public async Task Header_mode_signs_the_region_set_with_an_ecdsa_signature_that_verifies()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(MultiRegion(), timeProvider: time));

        await client.GetAsync(new Uri("https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/reports/a.csv?versionId=3"));

        var sent = capture.Requests.Single();
        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.Multiple(() =>
        {
            Assert.That(Header(sent, "Authorization"), Does.Match(
                "^AWS4-ECDSA-P256-SHA256 Credential=AKIDTEST/20241022/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30[0-9a-f]{124,142}$"));
            Assert.That(Header(sent, "X-Amz-Region-Set"), Is.EqualTo("us-east-1,eu-west-1"));
            Assert.That(SigV4aReference.HeaderSignatureVerifies(sent, key), Is.True);
        });
    }

    [Test]
    public async Task A_session_token_is_sent_signed_and_the_signature_verifies()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(MultiRegion(o => o.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"), timeProvider: time));

        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/key"), new StringContent("hello", Encoding.UTF8, "text/plain"));

        var sent = capture.Requests.Single();
        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.Multiple(() =>
        {
            Assert.That(Header(sent, "X-Amz-Security-Token"), Is.EqualTo("FwoGZXIvYXdzEXAMPLETOKEN"));
            Assert.That(SignedHeaders(sent), Is.EqualTo("content-type;host;x-amz-content-sha256;x-amz-date;x-amz-region-set;x-amz-security-token"));
            Assert.That(Header(sent, "x-amz-content-sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData("hello"u8))));
            Assert.That(SigV4aReference.HeaderSignatureVerifies(sent, key), Is.True);
        });
    }

    [Test]
    public async Task A_tampered_request_does_not_verify()
    {
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(MultiRegion(), timeProvider: time));
        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/key"));
        var sent = capture.Requests.Single();
        sent.Headers.Remove("X-Amz-Region-Set");
        sent.Headers.TryAddWithoutValidation("X-Amz-Region-Set", "us-east-1");

        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.That(SigV4aReference.HeaderSignatureVerifies(sent, key), Is.False);
    }

    [Test]
    public async Task Presigned_urls_carry_the_region_set_and_verify_from_the_presigner_and_the_handler()
    {
        var options = MultiRegion(o => (o.RegionSet, o.SessionToken) = (["*"], "TOKEN/1+"));
        var presigner = new AwsRequestPresigner(options, timeProvider: time);
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(MultiRegion(o => (o.RegionSet, o.SessionToken, o.SignQuery) = (["*"], "TOKEN/1+", true)), timeProvider: time));

        var presigned = await presigner.PresignAsync(HttpMethod.Get, new Uri("https://bucket.s3.amazonaws.com/a%20key?versionId=3"), TimeSpan.FromHours(1));
        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/a%20key?versionId=3"));

        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        var sent = capture.Requests.Single();
        Assert.Multiple(() =>
        {
            foreach (var uri in new[] { presigned, sent.RequestUri! })
            {
                Assert.That(QueryValues(uri, "X-Amz-Algorithm"), Is.EqualTo(new[] { "AWS4-ECDSA-P256-SHA256" }));
                Assert.That(QueryValues(uri, "X-Amz-Credential"), Is.EqualTo(new[] { "AKIDTEST/20241022/s3/aws4_request" }));
                Assert.That(QueryValues(uri, "X-Amz-Region-Set"), Is.EqualTo(new[] { "*" }));
                Assert.That(QueryValues(uri, "X-Amz-Security-Token"), Is.EqualTo(new[] { "TOKEN/1+" }));
                Assert.That(QueryValues(uri, "versionId"), Is.EqualTo(new[] { "3" }));
                Assert.That(SigV4aReference.QuerySignatureVerifies(HttpMethod.Get, uri, key), Is.True, uri.ToString());
            }

            Assert.That(Header(sent, "Authorization"), Is.Null);
            Assert.That(Header(sent, "X-Amz-Region-Set"), Is.Null);
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_resent_request_carries_one_region_set_and_verifies_again(bool signQuery)
    {
        var capture = new Capture();
        var handler = new AwsSignatureHandler(MultiRegion(o => o.SignQuery = signQuery), timeProvider: time) { InnerHandler = capture.Mock };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.amazonaws.com/key?list-type=2");

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        time.Advance(TimeSpan.FromMinutes(3));
        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.Multiple(() =>
        {
            if (signQuery)
            {
                Assert.That(QueryValues(request.RequestUri!, "X-Amz-Region-Set"), Has.Length.EqualTo(1));
                Assert.That(QueryValues(request.RequestUri!, "X-Amz-Date"), Is.EqualTo(new[] { "20241022T100300Z" }));
                Assert.That(SigV4aReference.QuerySignatureVerifies(HttpMethod.Get, request.RequestUri!, key), Is.True);
            }
            else
            {
                Assert.That(request.Headers.GetValues("X-Amz-Region-Set").Count(), Is.EqualTo(1));
                Assert.That(Header(request, "X-Amz-Date"), Is.EqualTo("20241022T100300Z"));
                Assert.That(SigV4aReference.HeaderSignatureVerifies(request, key), Is.True);
            }
        });
    }

    [Test]
    public async Task Signing_from_many_threads_at_once_shares_one_key_and_every_signature_verifies()
    {
        var handler = new AwsSignatureHandler(MultiRegion(), timeProvider: time) { InnerHandler = new Capture().Mock };
        using var invoker = new HttpMessageInvoker(handler);
        var requests = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"https://bucket.s3.amazonaws.com/object-{i}");
            (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
            return request;
        })));

        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.That(requests.Count(request => SigV4aReference.HeaderSignatureVerifies(request, key)), Is.EqualTo(requests.Length));
        foreach (var request in requests)
        {
            request.Dispose();
        }
    }

    [Test]
    public async Task A_body_that_cannot_be_rewound_is_refused_when_chunking_is_off_and_sent_unsigned_when_asked()
    {
        var capture = new Capture();
        using var signed = capture.Client(new AwsSignatureHandler(MultiRegion(o => o.ChunkedUpload = AwsChunkedUpload.Never), timeProvider: time));

        var refused = Assert.ThrowsAsync<CredentialException>(() =>
            signed.PutAsync(new Uri("https://bucket.s3.amazonaws.com/key"), new StreamContent(new ForwardOnlyStream([1, 2, 3])) { Headers = { ContentLength = 3 } }));
        var sentCapture = new Capture();
        using var client = sentCapture.Client(new AwsSignatureHandler(MultiRegion(o => o.PayloadSigning = AwsPayloadSigning.Unsigned), timeProvider: time));
        await client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/key"), new StreamContent(new ForwardOnlyStream([1, 2, 3])) { Headers = { ContentLength = 3 } });

        var sent = sentCapture.Requests.Single();
        using var key = SigV4aReference.DerivedKey("AKIDTEST", Secret);
        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.Contain("cannot be rewound"));
            Assert.That(capture.Requests, Is.Empty, "nothing was sent");
            Assert.That(Header(sent, "x-amz-content-sha256"), Is.EqualTo("UNSIGNED-PAYLOAD"));
            Assert.That(Header(sent, "x-amz-decoded-content-length"), Is.Null, "not aws-chunked");
            Assert.That(SigV4aReference.HeaderSignatureVerifies(sent, key), Is.True);
        });
    }

    [Test]
    public void The_derived_key_is_the_specs_for_random_credentials()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=é";
        for (var i = 0; i < 100; i++)
        {
            var accessKeyId = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(26, 62)]).ToArray());
            var secret = new string(Enumerable.Range(0, random.Next(0, 80)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

            using var expected = SigV4aReference.DerivedKey(accessKeyId, secret);
            var ours = SigV4aKey.Derive(new AwsKeys(accessKeyId, secret, null)).Key.ExportParameters(includePrivateParameters: false).Q;
            var theirs = expected.ExportParameters(includePrivateParameters: false).Q;
            Assert.That((ours.X, ours.Y), Is.EqualTo((theirs.X, theirs.Y)), $"seed {seed}, case {i}");
        }
    }

    [Test]
    public void The_key_is_derived_once_per_access_key_and_secret_and_again_when_they_rotate()
    {
        var signing = new SigV4aSigning(["*"]);
        var first = signing.KeyFor(new AwsKeys("AKID1", "secret-1", null));
        Assert.Multiple(() =>
        {
            Assert.That(signing.KeyFor(new AwsKeys("AKID1", "secret-1", "a token changes nothing")), Is.SameAs(first));
            Assert.That(signing.KeyFor(new AwsKeys("AKID1", "secret-2", null)), Is.Not.SameAs(first));
            Assert.That(signing.KeyFor(new AwsKeys("AKID2", "secret-2", null)).AccessKeyId, Is.EqualTo("AKID2"));
        });
    }

    [TestCase(null, "RegionSet is required with SigningAlgorithm SigV4a")]
    [TestCase("", "RegionSet is required with SigningAlgorithm SigV4a")]
    [TestCase("us-east-1| ", "RegionSet[1] must not be blank")]
    [TestCase("us-east-1,eu-west-1", "RegionSet[0] must be a region name or a pattern of one")]
    [TestCase("eu west", "RegionSet[0] must be a region name or a pattern of one")]
    public void A_bad_region_set_fails_naming_the_field_and_never_the_secret(string? regions, string expected)
    {
        var options = MultiRegion(o => o.RegionSet = regions is null ? null! : regions.Split('|', StringSplitOptions.RemoveEmptyEntries));

        var error = Assert.Throws<OptionsValidationException>(() => _ = new AwsSignatureHandler(options, "global"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'global' (AwsSignedRequest): " + expected));
            Assert.That(error.Message, Does.Not.Contain(Secret));
        });
    }

    [Test]
    public void Other_options_that_do_not_fit_fail_naming_their_field()
    {
        string Error(AwsSignedRequestOptions options) => Assert.Throws<OptionsValidationException>(() => _ = new AwsSignatureHandler(options, "x"))!.Message;

        Assert.Multiple(() =>
        {
            Assert.That(Error(Options("s3", o => o.RegionSet = ["*"])), Does.Contain("RegionSet is used only with SigningAlgorithm SigV4a"));
            Assert.That(Error(Options("s3", o => o.SigningAlgorithm = (AwsSigningAlgorithm)7)), Does.Contain("SigningAlgorithm must be SigV4 or SigV4a"));
            Assert.That(Error(MultiRegion(o => o.ChunkSize = 100)), Does.Contain("ChunkSize must be at least 8192"), "SigV4a keeps the chunk rules");
            Assert.DoesNotThrow(() => _ = new AwsSignatureHandler(MultiRegion(o => o.ChunkedUpload = AwsChunkedUpload.Always)), "SigV4a signs chunks too");
            Assert.DoesNotThrow(() => _ = new AwsSignatureHandler(MultiRegion(o => o.Region = string.Empty)), "SigV4a needs no Region");
        });
    }

    [Test]
    public async Task An_empty_region_set_in_configuration_is_a_start_up_error_naming_the_field()
    {
        var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("global", "AwsSignedRequest", fields =>
        {
            fields["SigningAlgorithm"] = "SigV4a";
            fields.Remove("Region");
        }));
        var working = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential("global", "AwsSignedRequest", fields =>
            (fields["SigningAlgorithm"], fields["RegionSet:0"], fields["RegionSet:1"]) = ("SigV4a", "us-east-1", "us-west-2")));

        Assert.Multiple(() =>
        {
            Assert.That(failures.Select(failure => failure.Message), Has.Some.Contains("Credential 'global' (AwsSignedRequest): RegionSet is required with SigningAlgorithm SigV4a"));
            Assert.That(working, Is.Empty);
        });
    }

    [Test]
    public void Nothing_about_the_derived_key_prints_it_or_the_secret()
    {
        var keys = new AwsKeys("AKIDTEST", Secret, "TOKEN");
        var signing = new SigV4aSigning(["*"]);
        var key = signing.KeyFor(keys);
        var privateKey = key.Key.ExportParameters(includePrivateParameters: true).D!;
        var printed = new[] { key.ToString(), signing.ToString(), keys.ToString(), new SigV4Signer(string.Empty, "s3", signing).ToString() };

        foreach (var secret in new[] { Secret, "TOKEN", Convert.ToHexStringLower(privateKey), Convert.ToHexString(privateKey), Convert.ToBase64String(privateKey) })
        {
            Assert.That(printed.Where(text => text!.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..4]}…");
        }
    }
}
