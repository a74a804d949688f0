using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary><c>atomic-credentials send</c> against loopback servers, credentials from a configuration file.</summary>
[NonParallelizable]
public sealed class CliSendTests
{
    private CliHarness world = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => world = await CliHarness.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await world.DisposeAsync();

    [TestCase("legacy", "/basic", "basic-ok")]
    [TestCase("apikey", "/key", "key-ok")]
    public async Task Send_applies_the_configured_credential_and_prints_the_body(string credential, string path, string body)
    {
        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, credential, "GET", world.At(path).AbsoluteUri);

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(run.Out, Is.EqualTo(body));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Send_with_OAuth_obtains_a_token_the_API_accepts()
    {
        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "crm", "GET", world.OAuth.Api("cli").AbsoluteUri);

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(run.Out, Is.EqualTo("ok"));
        Assert.That(world.OAuth.LastTokenBy.ContainsKey("cli"));
    }

    [Test]
    public async Task Send_with_a_preset_uses_its_token_endpoint_and_API_address()
    {
        var sent = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "marketo", "GET", world.OAuth.Api("marketo").AbsoluteUri);

        Assert.That(sent.Code, Is.Zero, sent.ToString());
        Assert.That(sent.Out, Is.EqualTo("ok"));
        Assert.That(world.OAuth.LastTokenBy.ContainsKey("marketo"));

        // A relative URL: the preset's REST address (the identity URL's origin + /rest/).
        var dry = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "marketo", "GET", "v1/leads.json", "--dry-run");
        Assert.That(dry.Code, Is.Zero, dry.ToString());
        Assert.That(dry.Out, Does.StartWith("GET " + new Uri(world.OAuth.BaseAddress, "/rest/v1/leads.json").AbsoluteUri));
        world.AssertNoSecret(dry);
    }

    [TestCase("sfmc")]
    [TestCase("https://cli-tenant.rest.marketingcloudapis.com/sfmc")]
    public async Task Send_with_Marketing_Cloud_goes_to_the_rest_instance_url_its_token_response_named(string url)
    {
        var tokens = world.OAuth.TokenRequests;

        var sent = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "sfmc", "GET", url, "-v");

        // The tenant's documented REST host is not on loopback: only the instance URL the token
        // response named (the loopback API under /api/) can have answered, and only with its token.
        Assert.That(sent.Code, Is.Zero, sent.ToString());
        Assert.That(sent.Out, Is.EqualTo("ok"));
        Assert.That(world.OAuth.LastTokenBy.ContainsKey("sfmc"));
        Assert.That(world.OAuth.TokenRequests, Is.GreaterThan(tokens), "no token request to /v2/token");
        Assert.That(sent.Error, Does.Contain("> GET " + world.OAuth.Api("sfmc").AbsoluteUri + Environment.NewLine));
        Assert.That(sent.Error, Does.Contain("> Authorization: Bearer …("));
        world.AssertNoSecret(sent);
    }

    [Test]
    public async Task Over_a_store_a_relative_URL_resolves_against_the_saved_presets_address()
    {
        var store = Path.Combine(Path.GetDirectoryName(world.ConfigPath)!, "presets", "credentials.db");
        var imported = await CliHarness.ImportAsync(world.ConfigPath, store, "sfmc", "marketo", "legacy");
        Assert.That(imported.Code, Is.Zero, imported.ToString());

        var sfmc = await CliHarness.RunAsync("send", "--store", store, "sfmc", "GET", "sfmc", "-v");
        var marketo = await CliHarness.RunAsync("send", "--store", store, "marketo", "GET", "v1/leads.json", "--dry-run");
        var plain = await CliHarness.RunAsync("send", "--store", store, "legacy", "GET", "basic");

        Assert.That(sfmc.Code, Is.Zero, sfmc.ToString());
        Assert.That(sfmc.Out, Is.EqualTo("ok"));
        Assert.That(sfmc.Error, Does.Contain("> GET " + world.OAuth.Api("sfmc").AbsoluteUri + Environment.NewLine));
        Assert.That(marketo.Code, Is.Zero, marketo.ToString());
        Assert.That(marketo.Out, Does.StartWith("GET " + new Uri(world.OAuth.BaseAddress, "/rest/v1/leads.json").AbsoluteUri));
        Assert.That(plain.Code, Is.EqualTo(2), "a kind without an API address takes absolute URLs only: " + plain);
        foreach (var run in (CliRun[])[sfmc, marketo, plain])
        {
            world.AssertNoSecret(run);
        }
    }

    [Test]
    public async Task Send_sends_the_body_and_headers_and_include_prints_the_status()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "{\"order\":42}");
        try
        {
            var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "apikey", "POST", world.At("/echo").AbsoluteUri,
                "-H", "Content-Type: application/json", "-d", "@" + file, "-i");

            Assert.That(run.Code, Is.Zero, run.ToString());
            Assert.That(run.Out, Does.StartWith("HTTP/1.1 200 OK"));
            Assert.That(run.Out, Does.Contain("Content-Type: application/json"));
            Assert.That(run.Out, Does.EndWith("\n{\"order\":42}"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Output_writes_the_body_to_a_file()
    {
        var file = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        try
        {
            var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "legacy", "GET", world.At("/basic").AbsoluteUri, "-o", file);

            Assert.That(run.Code, Is.Zero, run.ToString());
            Assert.That(run.Out, Is.Empty);
            Assert.That(await File.ReadAllTextAsync(file), Is.EqualTo("basic-ok"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("legacy", "/basic", "Authorization: Basic …(")]
    [TestCase("apikey", "/key", "X-Api-Key: …(")]
    [TestCase("crm", null, "Authorization: Bearer …(")]
    [TestCase("s3", "/echo", "Authorization: AWS4-HMAC-SHA256 …(")]
    public async Task Verbose_shows_what_was_sent_with_every_credential_value_masked(string credential, string? path, string masked)
    {
        var url = path is null ? world.OAuth.Api("verbose").AbsoluteUri : world.At(path).AbsoluteUri;

        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, credential, path == "/echo" ? "POST" : "GET", url, "-v");

        Assert.That(run.Error, Does.Contain("> " + (path == "/echo" ? "POST " : "GET ") + url));
        Assert.That(run.Error, Does.Contain("> " + masked));
        Assert.That(run.Error, Does.Match(@"\* credential \d+ ms, request \d+ ms"));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Verbose_times_the_token_request_apart()
    {
        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "crm", "GET", world.OAuth.Api("timed").AbsoluteUri, "-v");

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(run.Error, Does.Match(@"\* token request \d+ ms"));
    }

    [Test]
    public async Task Verbose_masks_the_value_of_a_bearer_JWT_but_shows_its_start_and_length()
    {
        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "partner", "GET", world.At("/jwt").AbsoluteUri, "-v");

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(world.LastJwt, Is.Not.Null);
        Assert.That(run.Error, Does.Contain($"> Authorization: Bearer eyJh…({world.LastJwt!.Length} chars)"));
        world.AssertNoSecret(run);
    }

    [TestCase("legacy", "/basic", "Authorization: Basic …(")]
    [TestCase("crm", "/key", "Authorization: Bearer …(")]
    [TestCase("s3", "/key", "Authorization: AWS4-HMAC-SHA256 …(")]
    public async Task Dry_run_prints_the_masked_request_and_sends_nothing_to_the_API(string credential, string path, string masked)
    {
        var before = world.ApiRequests;

        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, credential, "GET", world.At(path).AbsoluteUri, "--dry-run");

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(world.ApiRequests, Is.EqualTo(before), "the API was called");
        Assert.That(run.Out, Does.Contain("GET " + world.At(path).AbsoluteUri));
        Assert.That(run.Out, Does.Contain(masked));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Environment_variables_apply_on_top_of_the_file_as_in_a_service()
    {
        Environment.SetEnvironmentVariable("AtomicCredentials__legacy__Password", "rotated-elsewhere");
        try
        {
            var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "legacy", "GET", world.At("/basic").AbsoluteUri);

            Assert.That(run.Code, Is.EqualTo(1), "the variable's password was not the one sent: " + run);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AtomicCredentials__legacy__Password", null);
        }
    }

    [Test]
    public async Task An_HTTP_error_status_exits_1()
    {
        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "apikey", "GET", world.At("/basic").AbsoluteUri);

        Assert.That(run.Code, Is.EqualTo(1), run.ToString());
    }

    [TestCase("badsecret")]
    [TestCase("badkey")]
    [TestCase("missing")]
    public async Task A_credential_failure_exits_3_and_names_the_credential(string credential)
    {
        var before = world.ApiRequests;

        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, credential, "GET", world.At("/basic").AbsoluteUri);

        Assert.That(run.Code, Is.EqualTo(3), run.ToString());
        Assert.That(run.Error, Does.Contain(credential));
        Assert.That(world.ApiRequests, Is.EqualTo(before));
        world.AssertNoSecret(run);
    }

    [TestCase("send")]
    [TestCase("send", "legacy", "GET")]
    [TestCase("send", "legacy", "GET", "http://127.0.0.1/", "-H", "no colon")]
    [TestCase("send", "legacy", "GET", "http://127.0.0.1/", "--no-such-option")]
    [TestCase("send", "legacy", "GET", "http://127.0.0.1/", "--config", "/no/such/file.json")]
    public async Task Bad_usage_exits_2(params string[] args)
    {
        var run = await CliHarness.RunAsync(args);

        Assert.That(run.Code, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Is.Not.Empty);
    }

    [Test]
    public async Task A_server_that_is_down_exits_4()
    {
        var url = $"http://127.0.0.1:{LoopbackServer.ClosedPort()}/";

        var run = await CliHarness.RunAsync("send", "--config", world.ConfigPath, "legacy", "GET", url);

        Assert.That(run.Code, Is.EqualTo(4), run.ToString());
    }

    [Test]
    public async Task Presign_prints_a_signed_URL_valid_for_the_asked_time()
    {
        var run = await CliHarness.RunAsync("presign", "--config", world.ConfigPath, "s3", "https://bucket.s3.eu-west-1.amazonaws.com/report.csv", "--expires", "1h");

        Assert.That(run.Code, Is.Zero, run.ToString());
        var url = new Uri(run.Out.Trim());
        Assert.That(url.Query, Does.Contain("X-Amz-Expires=3600"));
        Assert.That(url.Query, Does.Match("X-Amz-Signature=[0-9a-f]{64}"));
        Assert.That(url.Query, Does.Contain("X-Amz-Credential=AKIDCLITEST"));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Presign_refuses_a_credential_of_another_kind()
    {
        var run = await CliHarness.RunAsync("presign", "--config", world.ConfigPath, "legacy", "https://bucket.s3.eu-west-1.amazonaws.com/x");

        Assert.That(run.Code, Is.EqualTo(2), run.ToString());
    }
}
