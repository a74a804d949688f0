using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Atomic.Credentials.Aws;
using Atomic.Credentials.OAuth;
using Atomic.Credentials.Tests.OAuth;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Options;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Atomic.Credentials.Tests.BadInput;

/// <summary>
/// Property-based bad input: hostile text in URLs, header values, configuration values and token
/// responses never gets an unexpected exception type and never hangs; every rejection names the
/// credential and the field (or the problem) and never carries the value (each secret holds a marker
/// the messages are searched for).
/// </summary>
public sealed partial class BadInputProperties
{
    private const string Marker = "MRK7q";
    private static readonly Uri Api = new("https://api.example.com/");

    [Property(MaxTest = 300)]
    public Property The_SigV4_canonical_path_and_query_are_always_encoded_ascii() =>
        Prop.ForAll(OddText.Arbitrary(40), text => OddText.Bounded(() =>
        {
            var path = new PooledBytes(16);
            var query = new PooledBytes(16);
            try
            {
                CanonicalPath.Append(ref path, "/" + text, s3: false);
                CanonicalQuery.Append(ref query, text, []);
                return Encoded().IsMatch(Encoding.ASCII.GetString(path.Written)) && Encoded().IsMatch(Encoding.ASCII.GetString(query.Written));
            }
            finally
            {
                path.Dispose();
                query.Dispose();
            }
        }));

    [Property(MaxTest = 200)]
    public Property A_signed_request_with_odd_path_query_and_header_is_signed_or_refused_clearly() =>
        Prop.ForAll(OddText.Arbitrary(), OddText.Arbitrary(), OddText.Arbitrary(), (path, query, header) => OddText.Bounded(() =>
        {
            if (!Uri.TryCreate($"https://api.example.com/{path}?{query}", UriKind.Absolute, out var uri) || uri.Host != "api.example.com")
            {
                return true; // not a URL a caller can build: nothing reaches the library
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.TryAddWithoutValidation("X-Odd", header);
            var sent = Send(new AwsSignatureHandler(new AwsSignedRequestOptions
            {
                AccessKeyId = "AKIDODD", SecretAccessKey = Marker + "aws", Service = "execute-api", Region = "eu-west-1",
            }, "aws-odd"), request);
            return sent.Refusal is { } refusal
                ? Names(refusal, "aws-odd")
                : sent.Request!.Headers.TryGetValues("Authorization", out var authorization)
                    && AwsAuthorization().IsMatch(authorization.Single()) ? true
                    : throw new AssertionException($"not signed: {sent.Request}");
        }));

    [Property(MaxTest = 300)]
    public Property A_custom_header_value_is_sent_as_configured_or_rejected_naming_the_field() =>
        Prop.ForAll(OddText.Arbitrary(), value => OddText.Bounded(() =>
        {
            var options = new CustomHeadersOptions();
            options.Headers["X-Api-Key"] = Marker + value;
            if (Build(() => new CustomHeadersHandler(options, "keys"), "keys", "Headers:X-Api-Key") is not { } handler)
            {
                return true;
            }

            var sent = Send(handler, new HttpRequestMessage(HttpMethod.Get, Api));
            return sent.Request!.Headers.GetValues("X-Api-Key").Single() == Marker + value;
        }));

    [Property(MaxTest = 300)]
    public Property Basic_credentials_are_accepted_or_rejected_naming_the_field() =>
        Prop.ForAll(OddText.Arbitrary(), OddText.Arbitrary(), (user, password) => OddText.Bounded(() =>
        {
            var options = new BasicAuthOptions { Username = user, Password = Marker + password };
            if (Build(() => new BasicAuthHandler(options, "legacy"), "legacy", "Username", "Password") is not { } handler)
            {
                return true;
            }

            var sent = Send(handler, new HttpRequestMessage(HttpMethod.Get, Api));
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(sent.Request!.Headers.Authorization!.Parameter!));
            return decoded == $"{user}:{Marker}{password}";
        }));

    // Each field odd or plain: with odd text in all three, barely one case in a hundred has every field
    // accepted, and the accepted path is the one that sends a request.
    [Property(MaxTest = 300)]
    public Property OAuth_settings_are_accepted_or_rejected_naming_the_field() =>
        Prop.ForAll(OddText.OrPlain(), OddText.OrPlain(), OddText.OrPlain(), (url, secret, scope) => OddText.Bounded(() =>
        {
            var options = OAuthTestKit.Options(o =>
            {
                o.IdentityUrl = (url.Length % 2 == 0 ? "https://login.example.com/" : string.Empty) + url;
                o.ClientSecret = Marker + secret;
                o.Scope = scope;
            });
            if (Build(() => new OAuthClientCredentialsHandler(options, "crm", tokenHandler: new StubHandler(_ => OAuthTestKit.Token("t"))), "crm", "IdentityUrl", "ClientSecret", "Scope") is not { } handler)
            {
                return true;
            }

            // Accepted settings must also work: the token endpoint's token on the request, or a refusal
            // naming the credential without the secret.
            var sent = Send(handler, new HttpRequestMessage(HttpMethod.Get, Api));
            return sent.Refusal is { } refusal ? Names(refusal, "crm")
                : sent.Request!.Headers.Authorization?.ToString() == "Bearer t";
        }));

    [Property(MaxTest = 300)]
    public Property AWS_settings_are_accepted_and_sign_or_are_rejected_naming_the_field() =>
        Prop.ForAll(OddText.Arbitrary(12), OddText.Arbitrary(12), OddText.Arbitrary(), (region, service, secret) => OddText.Bounded(() =>
        {
            var options = new AwsSignedRequestOptions { AccessKeyId = "AKIDODD", SecretAccessKey = Marker + secret, Region = region, Service = service };
            if (Build(() => new AwsSignatureHandler(options, "aws-odd"), "aws-odd", "Region", "Service", "SecretAccessKey") is not { } handler)
            {
                return true;
            }

            var sent = Send(handler, new HttpRequestMessage(HttpMethod.Get, Api));
            return sent.Refusal is { } refusal ? Names(refusal, "aws-odd")
                : sent.Request!.Headers.TryGetValues("Authorization", out var authorization)
                    && authorization.Single().StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDODD/", StringComparison.Ordinal);
        }));

    [Property(MaxTest = 500)]
    public Property Any_bytes_as_a_token_response_parse_or_fail_with_a_reason() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => OddText.Bounded(() => ParsesOrExplains(bytes)));

    [Property(MaxTest = 500)]
    public Property Token_responses_with_odd_fields_parse_or_fail_without_the_token() =>
        Prop.ForAll(OddText.Arbitrary(), OddText.Arbitrary(8), OddText.Arbitrary(8), (token, type, expires) => OddText.Bounded(() =>
        {
            var json = $$"""{"access_token":{{JsonString(Marker + token)}},"token_type":{{JsonString(type)}},"expires_in":{{expires}}}""";
            return ParsesOrExplains(Encoding.UTF8.GetBytes(json));
        }));

    [Property(MaxTest = 200)]
    public Property An_odd_token_response_ends_in_a_bearer_header_or_a_credential_exception() =>
        Prop.ForAll(OddText.Arbitrary(), OddText.Arbitrary(8), (token, type) => OddText.Bounded(() =>
        {
            var json = $$"""{"access_token":{{JsonString(Marker + token)}},"token_type":{{JsonString(type)}},"expires_in":60}""";
            using var handler = new OAuthClientCredentialsHandler(OAuthTestKit.Options(), "crm", tokenHandler: new StubHandler(_ => OAuthTestKit.Json(json)));
            var sent = Send(handler, new HttpRequestMessage(HttpMethod.Get, Api));
            return sent.Refusal is { } refusal
                ? Names(refusal, "crm") && !refusal.ToString().Contains(Marker, StringComparison.Ordinal)
                : sent.Request!.Headers.Authorization!.ToString() == "Bearer " + Marker + token;
        }));

    private static bool ParsesOrExplains(byte[] bytes)
    {
        try
        {
            TokenResponseReader.Parse(bytes);
            return true;
        }
        catch (FormatException exception)
        {
            return exception.Message.Length > 0 && !exception.Message.Contains(Marker, StringComparison.Ordinal);
        }
    }

    /// <summary>Builds a handler; a rejection must be an options failure naming the credential and one of the fields, without the marker.</summary>
    private static T? Build<T>(Func<T> build, string name, params string[] fields)
        where T : class
    {
        try
        {
            return build();
        }
        catch (OptionsValidationException exception)
        {
            Assert.That(exception.Failures, Is.Not.Empty);
            foreach (var failure in exception.Failures)
            {
                Assert.That(failure, Does.StartWith($"Credential '{name}' ("));
                Assert.That(fields.Any(field => failure.Contains(field, StringComparison.Ordinal)), Is.True, failure);
                Assert.That(failure, Does.Not.Contain(Marker));
            }

            return null;
        }
    }

    private static bool Names(CredentialException refusal, string name) =>
        refusal.CredentialName == name && refusal.Message.Length > 0 && !refusal.ToString().Contains(Marker, StringComparison.Ordinal);

    /// <summary>Sends one request through <paramref name="handler"/> to a no-op inner handler.</summary>
    private static (HttpRequestMessage? Request, CredentialException? Refusal) Send(DelegatingHandler handler, HttpRequestMessage request)
    {
        HttpRequestMessage? seen = null;
        handler.InnerHandler = new StubHandler(r =>
        {
            seen = r;
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var invoker = new HttpMessageInvoker(handler);
        try
        {
            invoker.SendAsync(request, CancellationToken.None).GetAwaiter().GetResult().Dispose();
            return (seen, null);
        }
        catch (CredentialException exception)
        {
            return (null, exception);
        }
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    [GeneratedRegex("^[A-Za-z0-9\\-._~/=&]*(%[0-9A-F]{2}[A-Za-z0-9\\-._~/=&]*)*$")]
    private static partial Regex Encoded();

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=AKIDODD/[0-9]{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$")]
    private static partial Regex AwsAuthorization();
}
