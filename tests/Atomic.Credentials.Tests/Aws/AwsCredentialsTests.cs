using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Atomic.Credentials.Tests.Aws.AwsTestSupport;

namespace Atomic.Credentials.Tests.Aws;

[NonParallelizable]
public sealed class AwsCredentialsTests
{
    private static readonly string[] ChainVariables =
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED"];

    private Dictionary<string, string?> saved = [];

    [SetUp]
    public void Save() => saved = ChainVariables.ToDictionary(name => name, Environment.GetEnvironmentVariable);

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Test]
    public async Task Without_an_access_key_the_default_chain_is_read_at_every_signature()
    {
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIDFROMENVONE");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "env-secret-one");
        Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "env-token-one");
        var capture = new Capture();
        using var client = capture.Client(new AwsSignatureHandler(
            new AwsSignedRequestOptions { Service = "s3", Region = "eu-west-1" }, timeProvider: new FakeTimeProvider(Now)));

        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));
        // Rotated, as a refreshing provider would: the next signature uses the new keys.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIDFROMENVTWO");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "env-secret-two");
        Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "env-token-two");
        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));

        Assert.Multiple(() =>
        {
            Assert.That(Header(capture.Requests[0], "Authorization"), Does.Contain("Credential=AKIDFROMENVONE/20241022/eu-west-1/s3/aws4_request"));
            Assert.That(Header(capture.Requests[0], "X-Amz-Security-Token"), Is.EqualTo("env-token-one"));
            Assert.That(Header(capture.Requests[1], "Authorization"), Does.Contain("Credential=AKIDFROMENVTWO/"));
            Assert.That(Header(capture.Requests[1], "X-Amz-Security-Token"), Is.EqualTo("env-token-two"));
        });
    }

    [Test]
    public async Task No_secret_token_signing_key_or_signature_reaches_any_log_line()
    {
        var collector = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        var capture = new Capture();
        var options = Options("s3", o => o.SessionToken = "SESSIONTOKENSECRET");
        using var client = capture.Client(new AwsSignatureHandler(options, "s3", new FakeTimeProvider(Now), loggers));
        using var query = capture.Client(new AwsSignatureHandler(Options("s3", o => (o.SignQuery, o.SessionToken) = (true, "SESSIONTOKENSECRET")), "s3q", new FakeTimeProvider(Now), loggers));
        using var unsigned = capture.Client(new AwsSignatureHandler(Options("s3", o => o.PayloadSigning = AwsPayloadSigning.Unsigned), "s3u", new FakeTimeProvider(Now), loggers));

        await client.GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));
        await query.GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));
        await unsigned.PutAsync(new Uri("http://127.0.0.1:1/b/k"), new ByteArrayContent([1]));
        Assert.ThrowsAsync<CredentialException>(() => client.PutAsync(new Uri("https://bucket.s3.amazonaws.com/k"), new StreamContent(new ForwardOnlyStream([1]))));
        Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri("http://bucket.s3.amazonaws.com/k")));

        var signingKey = SigningKey(Secret, "20241022", "us-east-1", "s3");
        var signature = Header(capture.Requests[0], "Authorization")![^64..];
        var logged = string.Join("\n", collector.GetSnapshot().Select(r => $"{r.Message} {r.Exception} {string.Join(",", r.StructuredState ?? [])}"));
        Assert.Multiple(() =>
        {
            Assert.That(collector.Count, Is.GreaterThanOrEqualTo(5), "the requests were logged at Trace");
            foreach (var secret in new[] { Secret, "SESSIONTOKENSECRET", Convert.ToHexStringLower(signingKey), Convert.ToHexString(signingKey), Convert.ToBase64String(signingKey), signature })
            {
                Assert.That(logged, Does.Not.Contain(secret));
            }
        });
    }

    [Test]
    public async Task A_configuration_section_registers_the_kind_and_its_fields()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:files:Type"] = "AwsSignedRequest",
            ["AtomicCredentials:files:AccessKeyId"] = "AKIDCONFIG",
            ["AtomicCredentials:files:SecretAccessKey"] = Secret,
            ["AtomicCredentials:files:Service"] = "s3",
            ["AtomicCredentials:files:Region"] = "eu-west-1",
            ["AtomicCredentials:files:SignQuery"] = "true",
            ["AtomicCredentials:files:Expires"] = "00:10:00",
            ["AtomicCredentials:files:PayloadSigning"] = "Unsigned",
        }).Build();
        var capture = new Capture();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        services.AddHttpClient("files").AddAtomicCredentialHandler("files").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("files").GetAsync(new Uri("https://bucket.s3.amazonaws.com/k"));
        var presigner = new AwsRequestPresigner(provider.GetRequiredService<IOptionsMonitor<AwsSignedRequestOptions>>(), "files", provider.GetRequiredService<TimeProvider>());
        var presigned = await presigner.PresignAsync(HttpMethod.Get, new Uri("https://bucket.s3.amazonaws.com/k"));

        var sent = capture.Requests.Single().RequestUri!;
        Assert.Multiple(() =>
        {
            Assert.That(QueryValues(sent, "X-Amz-Credential"), Is.EqualTo(new[] { "AKIDCONFIG/20241022/eu-west-1/s3/aws4_request" }));
            Assert.That(QueryValues(sent, "X-Amz-Expires"), Is.EqualTo(new[] { "600" }));
            Assert.That(presigned, Is.EqualTo(sent), "the presigner signs exactly as the handler does");
        });
    }

    [Test]
    public void Bad_configuration_fails_at_start_up_naming_each_field_but_not_the_secret()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:files:Type"] = "AwsSignedRequest",
            ["AtomicCredentials:files:SecretAccessKey"] = Secret,
            ["AtomicCredentials:files:Service"] = "",
            ["AtomicCredentials:files:Region"] = "",
            ["AtomicCredentials:files:Expires"] = "7.00:00:01",
        });
        builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'files' (AwsSignedRequest): Service is required"));
            Assert.That(error.Message, Does.Contain("Credential 'files' (AwsSignedRequest): Region is required"));
            Assert.That(error.Message, Does.Contain("Credential 'files' (AwsSignedRequest): AccessKeyId is required when SecretAccessKey is set"));
            Assert.That(error.Message, Does.Contain("Credential 'files' (AwsSignedRequest): Expires must be more than zero and at most 7 days"));
            Assert.That(error.Message, Does.Not.Contain(Secret));
        });
    }

    [Test]
    public async Task The_presigner_refuses_other_hosts_and_expiries_past_seven_days()
    {
        var presigner = new AwsRequestPresigner(Options("s3", o => o.AllowedHosts = ["*.s3.amazonaws.com"]), "files", new FakeTimeProvider(Now));

        var url = await presigner.PresignAsync(HttpMethod.Get, new Uri("https://bucket.s3.amazonaws.com/report.csv"), TimeSpan.FromMinutes(10));

        Assert.Multiple(() =>
        {
            Assert.That(QueryValues(url, "X-Amz-Expires"), Is.EqualTo(new[] { "600" }));
            Assert.That(url.AbsolutePath, Is.EqualTo("/report.csv"));
            Assert.ThrowsAsync<CredentialException>(async () => await presigner.PresignAsync(HttpMethod.Get, new Uri("https://evil.example.com/x")));
            Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await presigner.PresignAsync(HttpMethod.Get, new Uri("https://bucket.s3.amazonaws.com/x"), TimeSpan.FromDays(8)));
        });
    }

    [Test]
    public void A_refused_presign_is_counted_and_logged_like_a_refused_request()
    {
        using var telemetry = new TelemetryRecorder();
        using var loggers = telemetry.LoggerFactory();
        var presigner = new AwsRequestPresigner(
            Options("s3", o => o.AllowedHosts = ["*.s3.amazonaws.com"]), "presign-refusal", new FakeTimeProvider(Now), loggers);

        var error = Assert.ThrowsAsync<CredentialException>(async () => await presigner.PresignAsync(HttpMethod.Get, new Uri("https://evil.example.com/x")));

        var refused = telemetry.Logs.GetSnapshot().Where(record => record.Id.Name == "RequestRefused").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.EndWith("Refused to presign a URL for 'evil.example.com': the host is not in AllowedHosts."));
            Assert.That(error.CredentialName, Is.EqualTo("presign-refusal"));
            Assert.That(refused.Select(record => record.Message), Is.EqualTo(new[]
            {
                "Credential 'presign-refusal' (AwsSignedRequest) refused a request to evil.example.com: the host is not in AllowedHosts",
            }));
            Assert.That(telemetry.Everything(), Has.Some.EqualTo("atomic.credentials.refused atomic.credential.name=presign-refusal"));
        });
    }
}
