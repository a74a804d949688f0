using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>
/// AWS Signature Version 4 (an API Gateway style endpoint): the receiver checks the access key and
/// credential scope in <c>Authorization</c>, then signs the request it received again with the
/// tenant's current secret, through the library's own signer dated as the request was, and compares.
/// </summary>
internal sealed class AwsSignedRequestTenant : TenantCredential
{
    private const string Region = "eu-west-1";
    private const string Service = "execute-api";
    private string secretAccessKey;

    public AwsSignedRequestTenant(string tenant, string credential)
        : base(tenant, credential)
    {
        AccessKeyId = "AKID" + tenant.ToUpperInvariant() + "HOOKS";
        secretAccessKey = NewSecret(tenant + "-aws-secret");
    }

    public string AccessKeyId { get; }

    public override IReadOnlyList<string> CredentialHeaders { get; } = ["Authorization", "X-Amz-Date", "X-Amz-Content-Sha256"];

    public override JsonElement Definition(Uri receiver) => Json($$"""
        { "Type": "AwsSignedRequest", "AccessKeyId": "{{AccessKeyId}}", "SecretAccessKey": "{{secretAccessKey}}",
          "Region": "{{Region}}", "Service": "{{Service}}", "AllowedHosts": ["127.0.0.1"] }
        """);

    public override async ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body)
    {
        // AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/execute-api/aws4_request, SignedHeaders=…, Signature=…
        var authorization = request.Headers.Authorization.ToString();
        var date = request.Headers["X-Amz-Date"].ToString();
        var signedAt = DateTimeOffset.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        var scope = signedAt is null ? null : $"{AccessKeyId}/{date[..8]}/{Region}/{Service}/aws4_request";
        if (scope is null || !authorization.StartsWith($"AWS4-HMAC-SHA256 Credential={scope}, ", StringComparison.Ordinal))
        {
            return Reject($"no SigV4 signature of {AccessKeyId} for {Region}/{Service}");
        }

        if ((DateTimeOffset.UtcNow - signedAt!.Value).Duration() > TimeSpan.FromMinutes(5))
        {
            return Reject("a SigV4 signature more than 5 minutes old");
        }

        var signedHeaders = authorization.Split(", ").Single(part => part.StartsWith("SignedHeaders=", StringComparison.Ordinal))["SignedHeaders=".Length..];
        var expected = await SignAgainAsync(request, body, signedHeaders, signedAt.Value);
        return SameText(expected, authorization)
            ? Accept($"SigV4 of {AccessKeyId}, scope {date[..8]}/{Region}/{Service}, signed {signedHeaders} and the body; recomputed with secret v{SecretVersion}")
            : Reject($"a SigV4 signature that the current secret of {AccessKeyId} does not give");
    }

    protected override void NewSecrets() => secretAccessKey = NewSecret(Tenant + "-aws-secret");

    // The request as it arrived, signed by AwsSignatureHandler at the instant it was signed: the same
    // bytes and headers with the right secret give the same Authorization header.
    private async Task<string> SignAgainAsync(HttpRequest request, byte[] body, string signedHeaders, DateTimeOffset signedAt)
    {
        using var copy = new HttpRequestMessage(new HttpMethod(request.Method), request.GetEncodedUrl()) { Content = new ByteArrayContent(body) };
        foreach (var name in signedHeaders.Split(';').Except(["host", "x-amz-date", "x-amz-content-sha256"]))
        {
            var value = request.Headers[name].ToString();
            if (!copy.Headers.TryAddWithoutValidation(name, value))
            {
                copy.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var options = new AwsSignedRequestOptions { AccessKeyId = AccessKeyId, SecretAccessKey = secretAccessKey, Region = Region, Service = Service };
        var capture = new Capture();
        using var signer = new AwsSignatureHandler(options, Name, new FixedClock(signedAt)) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(signer);
        using var answer = await invoker.SendAsync(copy, CancellationToken.None);
        return capture.Authorization ?? string.Empty;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    // Stands where the network would be: keeps the signature and sends nothing.
    private sealed class Capture : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.NonValidated.TryGetValues("Authorization", out var values) ? values.ToString() : null;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NoContent) { RequestMessage = request });
        }
    }
}
