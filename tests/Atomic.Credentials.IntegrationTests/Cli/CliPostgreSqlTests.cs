using Atomic.Credentials.IntegrationTests.Store;

namespace Atomic.Credentials.IntegrationTests.Cli;

/// <summary><c>atomic-credentials</c> over saved credentials in PostgreSQL (a connection string as <c>--store</c>).</summary>
[NonParallelizable]
public sealed class CliPostgreSqlTests : PostgreSqlTestBase
{
    [Test]
    public async Task Import_list_and_send_over_a_PostgreSQL_store()
    {
        await using var world = await CliHarness.StartAsync();
        var keys = Path.Combine(Path.GetTempPath(), "atomic-cli-pg-keys-" + Guid.NewGuid().ToString("N"));
        string[] store = ["--store", Server.ConnectionString, "--keys", keys];
        try
        {
            var config = Path.Combine(keys + "-config.json");
            var all = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(world.ConfigPath))!["AtomicCredentials"]!.AsObject();
            await File.WriteAllTextAsync(config, new System.Text.Json.Nodes.JsonObject
            {
                ["AtomicCredentials"] = new System.Text.Json.Nodes.JsonObject { ["tenant/crm"] = all["crm"]!.DeepClone() },
            }.ToJsonString());

            var imported = await CliHarness.RunAsync(["store", "import", config, .. store]);
            Assert.That(imported.Code, Is.Zero, imported.ToString());

            var listed = await CliHarness.RunAsync(["store", "list", .. store]);
            Assert.That(listed.Out, Does.Contain("tenant/crm\tOAuthClientCredentials\tv1"), listed.ToString());
            world.AssertNoSecret(listed);

            var sent = await CliHarness.RunAsync(["send", .. store, "tenant/crm", "GET", world.OAuth.Api("pg").AbsoluteUri, "-v"]);
            Assert.That(sent.Code, Is.Zero, sent.ToString());
            Assert.That(sent.Out, Is.EqualTo("ok"));
            Assert.That(sent.Error, Does.Contain("> Authorization: Bearer …("));
            world.AssertNoSecret(sent);
            File.Delete(config);
        }
        finally
        {
            if (Directory.Exists(keys))
            {
                Directory.Delete(keys, recursive: true);
            }
        }
    }
}
