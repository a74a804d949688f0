using System.CommandLine;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Cli;

/// <summary>The <c>atomic-credentials</c> command line: parses, runs one command, maps failures to exit codes.</summary>
internal static class Cli
{
    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand($"""
            atomic-credentials: try, check and use Atomic.Credentials credentials, through the same handlers a service uses.

            Examples:
              atomic-credentials send --config appsettings.json crm GET https://api.example.com/v1/accounts -v
              atomic-credentials check --config appsettings.json
              atomic-credentials presign s3 https://bucket.s3.eu-west-1.amazonaws.com/report.csv --expires 15m
              atomic-credentials store list --store credentials.db

            {ExitCodes.Help}
            """);
        CredentialSource.AddOptions(root);
        root.Subcommands.Add(SendCommand.Create(console));
        root.Subcommands.Add(CheckCommand.Create(console));
        root.Subcommands.Add(KeyCommands.Presign(console));
        root.Subcommands.Add(KeyCommands.PublicKey(console));
        root.Subcommands.Add(StoreCommand.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        // No response files: '-d @order.json' is curl's "the body is this file", not a file of arguments.
        var parse = Create(console).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"atomic-credentials: {error.Message}").ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync("Try 'atomic-credentials --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Fail(console, e.Message, ExitCodes.Usage);
        }
        catch (CredentialException e)
        {
            return Fail(console, e.Message, ExitCodes.CredentialFailure);
        }
        catch (OptionsValidationException e)
        {
            return Fail(console, e.Message, ExitCodes.CredentialFailure);
        }
        catch (HttpRequestException e)
        {
            return Fail(console, e.Message, ExitCodes.TransportFailure);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(console, "the request timed out: " + e.Message, ExitCodes.TransportFailure);
        }
        catch (IOException e)
        {
            return Fail(console, e.Message, ExitCodes.Usage);
        }
#pragma warning disable CA1031 // The tool's last word: one line and an exit code, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail(console, $"{e.GetType().Name}: {e.Message}", ExitCodes.Unexpected);
        }
    }

    private static int Fail(CliConsole console, string message, int code)
    {
        console.Error.WriteLine($"atomic-credentials: {message}");
        return code;
    }
}
