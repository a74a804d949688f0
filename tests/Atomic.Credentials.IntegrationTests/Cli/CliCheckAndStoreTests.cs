using System.Diagnostics;
using System.Text.Json;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary><c>atomic-credentials check</c> and <c>store</c>, and the built tool run as a process.</summary>
[NonParallelizable]
public sealed class CliCheckAndStoreTests
{
    private CliHarness world = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => world = await CliHarness.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await world.DisposeAsync();

    [Test]
    public async Task Check_obtains_material_for_good_credentials_and_exits_0()
    {
        var before = world.ApiRequests;
        var tokens = world.OAuth.TokenRequests;

        var run = await CliHarness.RunAsync("check", "--config", world.ConfigPath, "legacy", "crm", "partner", "s3");

        Assert.That(run.Code, Is.Zero, run.ToString());
        Assert.That(world.OAuth.TokenRequests, Is.EqualTo(tokens + 1), "check obtains a token");
        Assert.That(world.ApiRequests, Is.EqualTo(before), "check sent a request to an API");
        Assert.That(run.Out, Does.Match(@"(?m)^crm\s+OAuthClientCredentials\s+ok\s"));
        Assert.That(run.Out, Does.Match(@"(?m)^partner\s+KeyPair\s+ok\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ"), "a JWT's expiry is shown");
        Assert.That(run.Out, Does.Contain("4 ok"));
        Assert.That(run.Error, Does.Contain("[4/4] s3"), "progress");
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Check_reports_each_failure_with_its_reason_and_exits_3()
    {
        var run = await CliHarness.RunAsync("check", "--config", world.ConfigPath, "legacy", "badsecret", "badurl", "badkey");

        Assert.That(run.Code, Is.EqualTo(3), run.ToString());
        Assert.That(run.Out, Does.Match(@"(?m)^legacy\s+BasicAuth\s+ok"));
        Assert.That(run.Out, Does.Match(@"(?m)^badsecret\s+OAuthClientCredentials\s+FAILED.*invalid_client"));
        Assert.That(run.Out, Does.Match(@"(?m)^badurl\s+OAuthClientCredentials\s+FAILED.*404"));
        Assert.That(run.Out, Does.Match(@"(?m)^badkey\s+KeyPair\s+FAILED.*PrivateKey"));
        Assert.That(run.Out, Does.Contain("3 of 4 failed"));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Check_json_gives_one_entry_a_credential()
    {
        var run = await CliHarness.RunAsync("check", "--config", world.ConfigPath, "apikey", "badkey", "--json");

        Assert.That(run.Code, Is.EqualTo(3), run.ToString());
        using var json = JsonDocument.Parse(run.Out);
        var entries = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.That(entries.Keys, Is.EquivalentTo(new[] { "apikey", "badkey" }));
        Assert.That(entries["apikey"].GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(entries["apikey"].GetProperty("kind").GetString(), Is.EqualTo("CustomHeaders"));
        Assert.That(entries["badkey"].GetProperty("ok").GetBoolean(), Is.False);
        Assert.That(entries["badkey"].GetProperty("error").GetString(), Does.Contain("PrivateKey"));
        world.AssertNoSecret(run);
    }

    [Test]
    public async Task Store_add_list_send_remove_with_the_secret_from_standard_input()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(world.StorePath)!);
        var store = new[] { "--store", world.StorePath };

        var added = await CliHarness.RunWithInputAsync(world.LegacyPassword + "\n",
            ["store", "add", "acme/legacy", "--type", "BasicAuth", "--field", "Username=" + CliHarness.LegacyUser,
             "--field", "AllowedHosts=[\"127.0.0.1\"]", "--secret", "Password", .. store]);
        Assert.That(added.Code, Is.Zero, added.ToString());
        Assert.That(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(world.StorePath)!, "keys")), Is.Not.Empty, "Data Protection keys next to the file");

        var listed = await CliHarness.RunAsync(["store", "list", .. store]);
        Assert.That(listed.Code, Is.Zero, listed.ToString());
        Assert.That(listed.Out, Does.Contain("acme/legacy\tBasicAuth\tv1"));
        Assert.That(listed.Out, Does.Contain(CliHarness.LegacyUser));
        world.AssertNoSecret(listed);

        // Another run: the secret saved by the first opens with the keys it left on disk.
        var sent = await CliHarness.RunAsync(["send", .. store, "acme/legacy", "GET", world.At("/basic").AbsoluteUri, "-v"]);
        Assert.That(sent.Code, Is.Zero, sent.ToString());
        Assert.That(sent.Out, Is.EqualTo("basic-ok"));
        world.AssertNoSecret(sent);

        var check = await CliHarness.RunAsync(["check", .. store]);
        Assert.That(check.Code, Is.Zero, check.ToString());
        Assert.That(check.Out, Does.Match(@"(?m)^acme/legacy\s+BasicAuth\s+ok"));

        var removed = await CliHarness.RunAsync(["store", "remove", "acme/legacy", .. store]);
        Assert.That(removed.Code, Is.Zero, removed.ToString());

        var after = await CliHarness.RunAsync(["send", .. store, "acme/legacy", "GET", world.At("/basic").AbsoluteUri]);
        Assert.That(after.Code, Is.EqualTo(3), after.ToString());
        var again = await CliHarness.RunAsync(["store", "remove", "acme/legacy", .. store]);
        Assert.That(again.Code, Is.EqualTo(3), again.ToString());
    }

    [Test]
    public async Task Store_import_saves_a_configuration_file_and_listing_shows_no_secret()
    {
        var file = Path.Combine(Path.GetDirectoryName(world.ConfigPath)!, "import", "credentials.db");

        var imported = await CliHarness.ImportAsync(world.ConfigPath, file, "legacy", "apikey");
        Assert.That(imported.Code, Is.Zero, imported.ToString());

        var listed = await CliHarness.RunAsync("store", "list", "--store", file);
        Assert.That(listed.Out, Does.Contain("legacy\tBasicAuth").And.Contain("apikey\tCustomHeaders"));
        world.AssertNoSecret(listed);

        var sent = await CliHarness.RunAsync("send", "--store", file, "apikey", "GET", world.At("/key").AbsoluteUri);
        Assert.That(sent.Out, Is.EqualTo("key-ok"), sent.ToString());
    }

    [Test]
    public async Task Store_add_never_takes_a_secret_from_the_command_line()
    {
        var run = await CliHarness.RunWithInputAsync("from-stdin\n", "store", "add", "x", "--type", "BasicAuth", "--field", "Username=u", "--secret", "Password=leaked", "--store", world.StorePath);

        Assert.That(run.Code, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.Contain("never from the command line"));
        Assert.That(run.Error, Does.Not.Contain("leaked"));
    }

    [Test]
    public async Task A_store_file_that_is_not_a_database_is_one_line_and_not_a_credential_exit_code()
    {
        var file = Path.Combine(Path.GetDirectoryName(world.ConfigPath)!, "not-a-database.db");
        await File.WriteAllTextAsync(file, new string('x', 4096));

        var run = await CliHarness.RunAsync("store", "list", "--store", file);

        Assert.That(run.Code, Is.EqualTo(5), run.ToString());
        Assert.That(run.Error, Does.StartWith("atomic-credentials: ").And.Contain("not-a-database.db"));
        Assert.That(run.Error, Does.Not.Contain("   at "), "a stack trace");
    }

    [Test]
    public async Task The_built_tool_runs_as_a_process_with_help_and_exit_codes()
    {
        // The tool's own output folder (its deps and runtimeconfig), built with this configuration by the project reference.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var tool = Path.Combine(RepositoryPaths.Root, "src", "Atomic.Credentials.Cli", "bin", configuration, "net10.0", "atomic-credentials.dll");
        Assert.That(File.Exists(tool), tool);

        var help = await RunProcessAsync(tool, "send", "--help");
        Assert.That(help.Code, Is.Zero, help.Out);
        Assert.That(help.Out, Does.Contain("Exit codes").And.Contain("atomic-credentials send"));

        var sent = await RunProcessAsync(tool, "send", "--config", world.ConfigPath, "legacy", "GET", world.At("/basic").AbsoluteUri);
        Assert.That(sent.Code, Is.Zero, sent.Out);
        Assert.That(sent.Out, Is.EqualTo("basic-ok"));

        var usage = await RunProcessAsync(tool, "send");
        Assert.That(usage.Code, Is.EqualTo(2), usage.Out);
    }

    private static async Task<(int Code, string Out)> RunProcessAsync(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
