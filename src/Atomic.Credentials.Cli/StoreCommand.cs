using System.CommandLine;
using Atomic.Credentials.Store;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atomic.Credentials.Cli;

/// <summary><c>store list|add|remove|import</c> over saved credentials (SQLite file or PostgreSQL).</summary>
internal static class StoreCommand
{
    public static Command Create(CliConsole console)
    {
        var store = new Command("store", $"""
            Saved credentials: list, add, remove, import. Secrets are encrypted with Data Protection, its keys
            in --keys (default: 'keys' next to the SQLite file). Nothing here prints a secret.

            Examples:
              atomic-credentials store add --store credentials.db acme/crm --type OAuthClientCredentials --field IdentityUrl=https://login.acme.example/oauth2/token --field ClientId=hooks --secret ClientSecret
              atomic-credentials store list --store credentials.db
              atomic-credentials store import --store credentials.db appsettings.json
              atomic-credentials store remove --store credentials.db acme/crm

            {ExitCodes.Help}
            """);
        store.Subcommands.Add(List(console));
        store.Subcommands.Add(Add(console));
        store.Subcommands.Add(Remove(console));
        store.Subcommands.Add(Import(console));
        return store;
    }

    private static Command List(CliConsole console)
    {
        var prefix = new Argument<string?>("PREFIX") { Description = "Only names that start with this.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "Lists saved credentials: name, type, version, last change and public fields; never a secret.") { prefix };
        command.SetAction(async (parse, ct) =>
        {
            await using var source = OpenStore(parse);
            foreach (var info in await source.Store.ListAsync(parse.GetValue(prefix), ct).ConfigureAwait(false))
            {
                console.Out.WriteLine($"{info.Name}\t{info.Type}\tv{info.Version}\t{info.UpdatedAt:u}\t{info.Fields.GetRawText()}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The name to save under (tenant/credential by convention)." };
        var type = new Option<string>("--type", "-t") { Description = "The kind: OAuthClientCredentials, AwsSignedRequest, BasicAuth, KeyPair, CustomHeaders, S3Bucket, …", Required = true };
        var fields = new Option<string[]>("--field", "-f") { Description = "A non-secret field, K=V (repeatable; Headers:X-Api-Key=… nests; a value starting with [ or { is JSON)." };
        var secrets = new Option<string[]>("--secret") { Description = "The name of a secret field (repeatable); its value is read from standard input, one line each, or typed at a prompt without echo." };
        var command = new Command("add", "Saves (or replaces) a credential; validated like start-up configuration.") { name, type, fields, secrets };
        command.SetAction(async (parse, ct) =>
        {
            var definition = new JsonObject { ["Type"] = parse.GetValue(type) };
            foreach (var field in parse.GetValue(fields) ?? [])
            {
                var equals = field.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new UsageException($"a field is K=V: {field}");
                }

                var value = field[(equals + 1)..];
                Set(definition, field[..equals], value.StartsWith('[') || value.StartsWith('{') ? JsonNode.Parse(value) : JsonValue.Create(value));
            }

            foreach (var secret in parse.GetValue(secrets) ?? [])
            {
                if (secret.Contains('=', StringComparison.Ordinal))
                {
                    throw new UsageException($"--secret names a field ({secret[..secret.IndexOf('=', StringComparison.Ordinal)]}): its value is read from standard input or a prompt, never from the command line");
                }

                Set(definition, secret, JsonValue.Create(console.ReadSecret(secret)));
            }

            await using var source = OpenStore(parse);
            using var document = JsonDocument.Parse(definition.ToJsonString());
            var info = await source.Store.SaveAsync(parse.GetValue(name)!, document.RootElement, ct).ConfigureAwait(false);
            console.Out.WriteLine($"saved {info.Name} ({info.Type}) v{info.Version}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The saved credential to delete." };
        var command = new Command("remove", "Deletes a saved credential; exit code 3 when there was none.") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var source = OpenStore(parse);
            var removed = await source.Store.DeleteAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            console.Out.WriteLine(removed ? $"removed {parse.GetValue(name)}" : $"not found: {parse.GetValue(name)}");
            return removed ? ExitCodes.Success : ExitCodes.CredentialFailure;
        });
        return command;
    }

    private static Command Import(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "An appsettings.json-style file (its AtomicCredentials section, or only that section)." };
        var command = new Command("import", "Saves every credential of a configuration file: all are validated first, none is saved if one is refused.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var section = CredentialSource.LoadSection(parse.GetValue(file)!, parse.GetValue(CredentialSource.UserSecretsOption));
            await using var source = OpenStore(parse);
            var saved = await source.Store.ImportAsync(section, ct).ConfigureAwait(false);
            foreach (var info in saved)
            {
                console.Out.WriteLine($"saved {info.Name} ({info.Type}) v{info.Version}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static CredentialSource OpenStore(ParseResult parse) =>
        parse.GetValue(CredentialSource.StoreOption) is null
            ? throw new UsageException("store commands need --store PATH (a SQLite file) or a PostgreSQL connection")
            : CredentialSource.Open(parse);

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split(':');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = [];
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }
}
