using System.Security.Cryptography;
using System.Text;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// AWS credentials through IHttpClientFactory with every log at Trace, metrics and activities
/// recorded: header and presigned requests with a session token, SigV4a, refusals and errors. No secret
/// key, session token, signing key or SigV4a private key may appear anywhere.
/// </summary>
public sealed class AwsSecretLeakTests
{
    private const string Token = "FwoGZXIvYXdzELEAKTOKEN0123456789";

    [Test]
    public async Task Nothing_printed_while_signing_contains_a_secret_a_token_or_the_signing_key()
    {
        using var recorder = new TelemetryRecorder();
        var capture = new Capture();
        var services = new ServiceCollection();
        services.AddSingleton(recorder.LoggerFactory());
        services.AddAtomicCredential("files", (AwsSignedRequestOptions o) =>
            (o.AccessKeyId, o.SecretAccessKey, o.SessionToken, o.Service, o.Region, o.AllowedHosts) = ("AKIDLEAK", Secret, Token, "s3", "us-east-1", ["*.amazonaws.com"]));
        services.AddAtomicCredential("links", (AwsSignedRequestOptions o) =>
            (o.AccessKeyId, o.SecretAccessKey, o.SessionToken, o.Service, o.Region, o.SignQuery) = ("AKIDLEAK", Secret, Token, "s3", "us-east-1", true));
        services.AddAtomicCredential("global", (AwsSignedRequestOptions o) =>
            (o.AccessKeyId, o.SecretAccessKey, o.SessionToken, o.Service, o.SigningAlgorithm, o.RegionSet) = ("AKIDLEAK", Secret, Token, "s3", AwsSigningAlgorithm.SigV4a, ["*"]));
        services.AddHttpClient("global").AddAtomicCredentialHandler("global").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        services.AddHttpClient("files").AddAtomicCredentialHandler("files").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        services.AddHttpClient("links").AddAtomicCredentialHandler("links").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        await using (var provider = services.BuildServiceProvider())
        {
            var clients = provider.GetRequiredService<IHttpClientFactory>();
            await clients.CreateClient("files").PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), new StringContent("x"));
            await clients.CreateClient("links").GetAsync(new Uri("https://bucket.s3.amazonaws.com/k?versionId=1"));
            await clients.CreateClient("global").PutAsync(new Uri("https://mrap.accesspoint.s3-global.amazonaws.com/k"), new StringContent("x"));
            await recorder.AddFailureAsync(() => clients.CreateClient("global").PutAsync(new Uri("https://mrap.accesspoint.s3-global.amazonaws.com/k"), new StreamContent(new ForwardOnlyStream([1]))));
            await clients.CreateClient("global").PutAsync(new Uri("https://mrap.accesspoint.s3-global.amazonaws.com/k"), Forward(new byte[20_000]));
            await recorder.AddFailureAsync(() => clients.CreateClient("files").GetAsync(new Uri("https://evil.example.net/")));
            await recorder.AddFailureAsync(() => clients.CreateClient("files").PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), new StreamContent(new ForwardOnlyStream([1]))));
            recorder.Add(provider.GetRequiredService<IOptionsMonitor<AwsSignedRequestOptions>>().Get("files").ToString());
            recorder.Add(provider.GetRequiredService<IOptionsMonitor<AwsSignedRequestOptions>>().Get("global").ToString());
        }

        await recorder.AddFailureAsync(() =>
        {
            _ = new AwsSignatureHandler(new AwsSignedRequestOptions { SecretAccessKey = Secret, SessionToken = Token, Service = "s3", Region = "" });
            return Task.CompletedTask;
        });

        var key = SigningKey();
        var multiRegionKey = Atomic.Credentials.Aws.SigV4aKey.Derive(new Atomic.Credentials.Aws.AwsKeys("AKIDLEAK", Secret, null)).Key.ExportParameters(includePrivateParameters: true).D!;
        var everything = recorder.Everything();
        Assert.Multiple(() =>
        {
            Assert.That(everything, Has.Some.Contains("files"), "the scan must see the library's own lines");
            Assert.That(everything, Has.Some.Contains("Authorization: *"), "IHttpClientFactory's header log shows the signature redacted");
            Assert.That(everything, Has.Some.Contains("X-Amz-Security-Token: *"), "and the session token redacted");
            Assert.That(everything, Has.Some.Contains("global"), "the SigV4a credential's lines are in the scan");
            foreach (var secret in new[]
            {
                Secret, Token, Uri.EscapeDataString(Token), Convert.ToHexStringLower(key), Convert.ToBase64String(key),
                Convert.ToHexStringLower(multiRegionKey), Convert.ToHexString(multiRegionKey), Convert.ToBase64String(multiRegionKey),
            })
            {
                Assert.That(everything.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..4]}…");
            }
        });
    }

    private static byte[] SigningKey()
    {
        var date = DateTimeOffset.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + Secret), Encoding.UTF8.GetBytes(date));
        foreach (var part in new[] { "us-east-1", "s3", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return key;
    }
}
