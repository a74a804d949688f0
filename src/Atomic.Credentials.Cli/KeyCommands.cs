using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Cli;

/// <summary><c>presign</c> (SigV4 URLs) and <c>public-key</c> (the public half of a key pair), from a configuration file or a store.</summary>
internal static class KeyCommands
{
    public static Command Presign(CliConsole console)
    {
        var credential = new Argument<string>("CREDENTIAL") { Description = "An AwsSignedRequest or S3Bucket credential (configured or saved)." };
        var url = new Argument<string>("URL") { Description = "The absolute URL to presign." };
        var expires = new Option<string>("--expires") { Description = "How long the URL works: 90s, 15m, 2h, 7d or hh:mm:ss (at most 7 days).", DefaultValueFactory = _ => "15m" };
        var method = new Option<string>("--method", "-X") { Description = "The method the URL is for.", DefaultValueFactory = _ => "GET" };
        var command = new Command("presign", $"""
            Prints a presigned SigV4 URL (X-Amz-* query parameters and signature); sends nothing.

            Examples:
              atomic-credentials presign --config appsettings.json s3 https://bucket.s3.eu-west-1.amazonaws.com/report.csv --expires 1h
              atomic-credentials presign s3 https://bucket.s3.eu-west-1.amazonaws.com/upload.bin --method PUT
              atomic-credentials presign --store credentials.db acme/exports https://acme-exports.s3.eu-west-1.amazonaws.com/daily.csv

            {ExitCodes.Help}
            """)
        {
            credential, url, expires, method,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(credential)!;
            var lifetime = ParseDuration(parse.GetValue(expires)!);
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var uri))
            {
                throw new UsageException($"not an absolute URL: {parse.GetValue(url)}");
            }

            var (source, kind) = await OpenAsync(parse, name, ct, "AwsSignedRequest", "S3Bucket").ConfigureAwait(false);
            await using var opened = source;
            var presigner = source.IsStore
                ? await AwsRequestPresigner.FromSavedAsync(source.SavedStore, name, cancellationToken: ct).ConfigureAwait(false)
                : string.Equals(kind, "S3Bucket", StringComparison.OrdinalIgnoreCase)
                    ? new AwsRequestPresigner(source.Services.GetRequiredService<IOptionsMonitor<S3BucketOptions>>(), name)
                    : new AwsRequestPresigner(source.Services.GetRequiredService<IOptionsMonitor<AwsSignedRequestOptions>>(), name);
            var presigned = await presigner.PresignAsync(new HttpMethod(parse.GetValue(method)!.ToUpperInvariant()), uri, lifetime, ct).ConfigureAwait(false);
            console.Out.WriteLine(presigned.AbsoluteUri);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command PublicKey(CliConsole console)
    {
        var credential = new Argument<string>("CREDENTIAL") { Description = "A KeyPair credential (configured or saved)." };
        var format = new Option<string>("--format", "-f") { Description = "pem, jwk or jwks.", DefaultValueFactory = _ => "pem" };
        format.AcceptOnlyFromAmong("pem", "jwk", "jwks");
        var command = new Command("public-key", $"""
            Prints the public half of a key-pair credential, for the partner that verifies its JWTs.

            Examples:
              atomic-credentials public-key --config appsettings.json partner --format jwks > jwks.json
              atomic-credentials public-key partner
              atomic-credentials public-key --store credentials.db acme/partner --format jwk

            {ExitCodes.Help}
            """)
        {
            credential, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(credential)!;
            var (source, _) = await OpenAsync(parse, name, ct, "KeyPair").ConfigureAwait(false);
            await using var opened = source;
            var key = source.IsStore
                ? await KeyPairPublicKey.FromSavedAsync(source.SavedStore, name, ct).ConfigureAwait(false)
                : KeyPairPublicKey.FromOptions(source.Services.GetRequiredService<IOptionsMonitor<KeyPairOptions>>().Get(name), name);
            console.Out.Write(parse.GetValue(format) switch
            {
                "jwk" => key.ToJwk() + "\n",
                "jwks" => key.ToJwks() + "\n",
                _ => key.ToPem(),
            });
            return ExitCodes.Success;
        });
        return command;
    }

    // The source with the credential in it, and its kind, one of those the command works on.
    private static async Task<(CredentialSource Source, string Kind)> OpenAsync(ParseResult parse, string name, CancellationToken ct, params string[] kinds)
    {
        var source = CredentialSource.Open(parse);
        try
        {
            var actual = await source.KindAsync(name, ct).ConfigureAwait(false);
            if (!kinds.Contains(actual, StringComparer.OrdinalIgnoreCase))
            {
                throw new UsageException($"credential '{name}' is {actual}, not {string.Join(" or ", kinds)}");
            }

            return (source, actual);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static TimeSpan ParseDuration(string text)
    {
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : throw new UsageException($"not a duration: {text} (try 15m)");
    }
}
