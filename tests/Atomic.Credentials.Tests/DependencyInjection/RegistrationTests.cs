using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.DependencyInjection;

public sealed class RegistrationTests
{
    [Test]
    public async Task A_configuration_section_registers_every_credential_for_named_clients()
    {
        var capture = new Capture();
        var configuration = Configuration(new()
        {
            ["AtomicCredentials:legacy:Type"] = "BasicAuth",
            ["AtomicCredentials:legacy:Username"] = "user",
            ["AtomicCredentials:legacy:Password"] = "pass",
            ["AtomicCredentials:apikey:Type"] = "customheaders",
            ["AtomicCredentials:apikey:Headers:X-Api-Key"] = "k-1",
            ["AtomicCredentials:apikey:AllowedHosts:0"] = "api.example.com",
        });
        await using var provider = Services(configuration, capture, "legacy", "apikey");
        var clients = provider.GetRequiredService<IHttpClientFactory>();

        await clients.CreateClient("legacy").GetAsync(new Uri("https://api.example.com/a"));
        await clients.CreateClient("apikey").GetAsync(new Uri("https://api.example.com/b"));
        Assert.ThrowsAsync<CredentialException>(() => clients.CreateClient("apikey").GetAsync(new Uri("https://elsewhere.example.com/")));

        Assert.Multiple(() =>
        {
            Assert.That(capture.Requests, Has.Count.EqualTo(2));
            Assert.That(Capture.Header(capture.Requests[0], "Authorization"), Is.EqualTo("Basic dXNlcjpwYXNz"));
            Assert.That(Capture.Header(capture.Requests[1], "X-Api-Key"), Is.EqualTo("k-1"));
            Assert.That(Capture.Header(capture.Requests[1], "Authorization"), Is.Null);
        });
    }

    [Test]
    public async Task A_credential_registered_in_code_works_the_same()
    {
        var capture = new Capture();
        var services = new ServiceCollection();
        services.AddAtomicCredential("legacy", (BasicAuthOptions o) =>
        {
            o.Username = "code";
            o.Password = "pw";
        });
        services.AddHttpClient("legacy").AddAtomicCredentialHandler("legacy").ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("legacy").GetAsync(new Uri("https://api.example.com/"));

        Assert.That(Capture.Header(capture.Requests.Single(), "Authorization"), Is.EqualTo("Basic Y29kZTpwdw=="));
    }

    [Test]
    public async Task A_reloaded_password_is_used_from_the_next_request_without_a_restart()
    {
        var capture = new Capture();
        var source = new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["AtomicCredentials:legacy:Type"] = "BasicAuth",
                ["AtomicCredentials:legacy:Username"] = "user",
                ["AtomicCredentials:legacy:Password"] = "old",
            },
        };
        var configuration = new ConfigurationBuilder().Add(source).Build();
        await using var provider = Services(configuration, capture, "legacy");
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("legacy");

        await client.GetAsync(new Uri("https://api.example.com/"));
        configuration["AtomicCredentials:legacy:Password"] = "new";
        configuration.Reload();
        await client.GetAsync(new Uri("https://api.example.com/"));

        Assert.Multiple(() =>
        {
            Assert.That(Capture.Header(capture.Requests[0], "Authorization"), Is.EqualTo("Basic dXNlcjpvbGQ="));
            Assert.That(Capture.Header(capture.Requests[1], "Authorization"), Is.EqualTo("Basic dXNlcjpuZXc="));
        });
    }

    [TestCase("Type", "Carrier-Pigeon", "Credential 'odd': Type is not a credential kind")]
    [TestCase("Username", "u", "Credential 'odd': Type is required")]
    public void An_unknown_or_missing_type_fails_naming_the_credential(string key, string value, string expected)
    {
        var configuration = Configuration(new() { [$"AtomicCredentials:odd:{key}"] = value });

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAtomicCredentials(configuration.GetSection("AtomicCredentials")));

        Assert.That(error!.Message, Does.Contain(expected).And.Contain("BasicAuth"));
    }

    [Test]
    public void An_unknown_field_fails_naming_credential_and_field_but_not_its_value()
    {
        var configuration = Configuration(new()
        {
            ["AtomicCredentials:legacy:Type"] = "BasicAuth",
            ["AtomicCredentials:legacy:Username"] = "user",
            ["AtomicCredentials:legacy:Pasword"] = "typo-secret",
        });

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAtomicCredentials(configuration.GetSection("AtomicCredentials")));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'legacy' (BasicAuth): Pasword is not a field"));
            Assert.That(error.Message, Does.Not.Contain("typo-secret"));
        });
    }

    [Test]
    public void A_bad_value_fails_at_start_up_naming_credential_and_field_but_not_the_secret()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AtomicCredentials:legacy:Type"] = "BasicAuth",
            ["AtomicCredentials:legacy:Username"] = "us:er",
            ["AtomicCredentials:legacy:Password"] = "hunter2-secret\n",
        });
        builder.Services.AddAtomicCredentials(builder.Configuration.GetSection("AtomicCredentials"));
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'legacy' (BasicAuth): Username must not contain ':'"));
            Assert.That(error.Message, Does.Contain("Credential 'legacy' (BasicAuth): Password must not contain control characters"));
            Assert.That(error.Message, Does.Not.Contain("hunter2"));
        });
    }

    [Test]
    public async Task A_handler_for_an_unregistered_credential_names_it_and_the_registered_ones()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("legacy", (BasicAuthOptions o) => o.Username = "u");
        services.AddHttpClient("api").AddAtomicCredentialHandler("legcy");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("api"));

        Assert.That(error!.Message, Does.Contain("No Atomic credential named 'legcy'").And.Contain("registered: legacy"));
    }

    [Test]
    public void One_name_cannot_be_two_kinds()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("x", (BasicAuthOptions o) => o.Username = "u");

        var error = Assert.Throws<ArgumentException>(() => services.AddAtomicCredential("x", (CustomHeadersOptions o) => o.Headers["A"] = "b"));

        Assert.That(error!.Message, Does.Contain("Credential 'x' is already registered as BasicAuth"));
    }

    [Test]
    public void Time_provider_and_cache_are_registered_only_if_the_user_has_not_chosen_their_own()
    {
        var services = new ServiceCollection();
        var mine = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(mine);
        services.AddAtomicCredential("legacy", (BasicAuthOptions o) => o.Username = "u");
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(mine));
            Assert.That(provider.GetRequiredService<Atomic.Credentials.Caching.ICredentialCache>(), Is.InstanceOf<Atomic.Credentials.Caching.MemoryCredentialCache>());
        });
    }

    [Test]
    public void The_credential_headers_stay_redacted_in_IHttpClientFactory_logs_even_when_the_user_turns_redaction_off()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("apikey", (CustomHeadersOptions o) => o.Headers["X-Api-Key"] = "k");
        services.AddHttpClient("apikey").RedactLoggedHeaders(_ => false).AddAtomicCredentialHandler("apikey");
        services.AddHttpClient("other").RedactLoggedHeaders(_ => false);
        using var provider = services.BuildServiceProvider();
        var factoryOptions = provider.GetRequiredService<IOptionsMonitor<Microsoft.Extensions.Http.HttpClientFactoryOptions>>();

        Assert.Multiple(() =>
        {
            Assert.That(factoryOptions.Get("apikey").ShouldRedactHeaderValue("x-api-key"), Is.True);
            Assert.That(factoryOptions.Get("apikey").ShouldRedactHeaderValue("Authorization"), Is.True);
            Assert.That(factoryOptions.Get("apikey").ShouldRedactHeaderValue("X-Request-Id"), Is.False, "the user's choice stands for other headers");
            Assert.That(factoryOptions.Get("other").ShouldRedactHeaderValue("X-Api-Key"), Is.False, "clients without a credential are untouched");
        });
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceProvider Services(IConfiguration configuration, Capture capture, params string[] credentials)
    {
        var services = new ServiceCollection();
        services.AddAtomicCredentials(configuration.GetSection("AtomicCredentials"));
        foreach (var name in credentials)
        {
            services.AddHttpClient(name).AddAtomicCredentialHandler(name).ConfigurePrimaryHttpMessageHandler(() => capture.Mock);
        }

        return services.BuildServiceProvider();
    }
}
