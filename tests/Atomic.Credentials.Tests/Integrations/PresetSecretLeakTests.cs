using System.Net;
using Atomic.Credentials.Tests.OAuth;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Integrations;

/// <summary>
/// The three presets through success, a Marketo 601 retry, an SFMC provider that echoes the secret,
/// a refused host and bad configuration, with logging at Trace and the user's header redaction off:
/// no secret, token or signature anywhere in what the library prints.
/// </summary>
public sealed class PresetSecretLeakTests
{
    private const string SfmcSecret = "sfmc-S3CRET-b4c5d6";
    private const string MarketoSecret = "mkto-S3CRET-e7f8a9";
    private const string AwsSecret = "aws/S3CRET+key-0a1b2c";
    private const string SessionToken = "aws-SESSION-token-3d4e5f";

    [Test]
    public async Task Nothing_the_presets_print_contains_a_secret_or_a_token()
    {
        using var recorder = new TelemetryRecorder();
        var printed = new List<string>();

        // Salesforce Marketing Cloud: a token, then an identity provider that echoes the secret.
        await using (var sfmc = new PresetHost(
            new() { ["Type"] = "SalesforceMarketingCloud", ["Subdomain"] = "tenant", ["ClientId"] = "id", ["ClientSecret"] = SfmcSecret, ["AccountId"] = "1" },
            (_, n) => n == 1
                ? OAuthTestKit.Json("""{"access_token":"sfmc-TOKEN-1","expires_in":1,"rest_instance_url":"https://tenant-x.rest.marketingcloudapis.com/"}""")
                : OAuthTestKit.Json($$"""{"error":"invalid_client","error_description":"{{SfmcSecret}} is wrong"}""", HttpStatusCode.Unauthorized),
            (_, _) => new HttpResponseMessage(HttpStatusCode.OK),
            recorder.LoggerFactory()))
        {
            using (await sfmc.Client.GetAsync("platform/v1/endpoints"))
            {
            }

            sfmc.Time.Advance(TimeSpan.FromMinutes(1));
            recorder.AddException(Assert.ThrowsAsync<CredentialException>(() => sfmc.Client.GetAsync("platform/v1/endpoints"))!);
        }

        // Marketo: 601 in a 200, one new token, one retry; then a host the token may not go to.
        await using (var marketo = new PresetHost(
            new() { ["Type"] = "Marketo", ["IdentityUrl"] = "https://1-2-3.mktorest.com/identity", ["ClientId"] = "id", ["ClientSecret"] = MarketoSecret, ["AllowedHosts:0"] = "1-2-3.mktorest.com" },
            (_, n) => OAuthTestKit.Json($$"""{"access_token":"mkto-TOKEN-{{n}}","token_type":"bearer","expires_in":3599}"""),
            (_, n) => n == 1 ? OAuthTestKit.Json("""{"success":false,"errors":[{"code":"601"}]}""") : OAuthTestKit.Json("""{"success":true}"""),
            recorder.LoggerFactory()))
        {
            using (await marketo.Client.GetAsync("v1/leads.json"))
            {
            }

            recorder.AddException(Assert.ThrowsAsync<CredentialException>(() => marketo.Client.GetAsync("https://evil.example.net/rest/v1/leads.json"))!);
            Assert.That(marketo.TokenRequests, Has.Count.EqualTo(2));
        }

        // S3: a signed put with a session token, a presigned URL, a refused host.
        await using (var s3 = new PresetHost(
            new() { ["Type"] = "S3Bucket", ["BucketName"] = "exports", ["Region"] = "eu-west-1", ["AccessKeyId"] = "AKIDLEAKTEST", ["SecretAccessKey"] = AwsSecret, ["SessionToken"] = SessionToken },
            (_, _) => new HttpResponseMessage(HttpStatusCode.InternalServerError),
            (request, _) =>
            {
                lock (printed)
                {
                    printed.Add(request.Headers.GetValues("Authorization").Single().Split("Signature=")[1]);
                }

                return new HttpResponseMessage(HttpStatusCode.OK);
            },
            recorder.LoggerFactory()))
        {
            using var bucket = S3BucketClient.Create(s3.Services, "preset");
            await bucket.PutObjectAsync("a.csv", new MemoryStream([1, 2, 3]), "text/csv");
            bucket.PartSize = 5L << 20;
            await bucket.PutStreamAsync("b.csv", new GeneratedStream(10), "text/csv");
            recorder.AddException(Assert.ThrowsAsync<HttpRequestException>(() => bucket.PutStreamAsync("c.bin", new GeneratedStream((5L << 20) + 1)))!);
            var url = await bucket.PresignDownloadAsync("a.csv");
            printed.Add(System.Web.HttpUtility.ParseQueryString(url.Query)["X-Amz-Signature"]!);
            recorder.AddException(Assert.ThrowsAsync<CredentialException>(() => s3.Client.GetAsync("https://other-bucket.s3.eu-west-1.amazonaws.com/a.csv"))!);
        }

        // Bad configuration, each with its secret next to the mistake.
        recorder.AddException(Assert.Throws<OptionsValidationException>(() => _ = new PresetHost(
            new() { ["Type"] = "SalesforceMarketingCloud", ["Subdomain"] = "https://x.auth.marketingcloudapis.com", ["ClientId"] = "id", ["ClientSecret"] = SfmcSecret + "\n" },
            (_, _) => new HttpResponseMessage(), (_, _) => new HttpResponseMessage()).Client)!);
        recorder.AddException(Assert.Throws<OptionsValidationException>(() => _ = new PresetHost(
            new() { ["Type"] = "Marketo", ["IdentityUrl"] = "http://1-2-3.mktorest.com/identity", ["ClientId"] = "id", ["ClientSecret"] = MarketoSecret + "\r" },
            (_, _) => new HttpResponseMessage(), (_, _) => new HttpResponseMessage()).Client)!);
        recorder.AddException(Assert.Throws<OptionsValidationException>(() => _ = new PresetHost(
            new() { ["Type"] = "S3Bucket", ["BucketName"] = "Not_A_Bucket", ["Region"] = "eu west", ["SecretAccessKey"] = AwsSecret, ["SessionToken"] = SessionToken },
            (_, _) => new HttpResponseMessage(), (_, _) => new HttpResponseMessage()).Client)!);

        var everything = recorder.Everything();
        Assert.Multiple(() =>
        {
            Assert.That(everything, Has.Some.Contains("(SalesforceMarketingCloud): Subdomain"), "the scan must see validation messages");
            Assert.That(everything, Has.Some.Contains("(S3Bucket): BucketName"), "the S3 preset names its own kind");
            Assert.That(everything, Has.Some.Contains("(S3Bucket): AccessKeyId"), "SigV4's own checks run for the S3 preset");
            Assert.That(everything, Has.Some.Contains("rejected"), "the scan must see the Marketo retry");
            Assert.That(printed, Has.Count.EqualTo(4), "three signed requests (two puts, one initiate) and a presigned signature");
            foreach (var secret in new[] { SfmcSecret, MarketoSecret, AwsSecret, SessionToken, "sfmc-TOKEN-1", "mkto-TOKEN-1", "mkto-TOKEN-2" }.Concat(printed))
            {
                Assert.That(everything.Where(text => text.Contains(secret, StringComparison.Ordinal)), Is.Empty, $"leaked: {secret[..6]}…");
            }
        });
    }
}
