using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Cli;

/// <summary><c>presign</c> (SigV4 URLs) and <c>public-key</c> (the public half of a key pair): configured credentials.</summary>
internal static class KeyCommands
{
    public static Command Presign(CliConsole console)
    {
        var credential = new Argument<string>("CREDENTIAL") { Description = "A configured AwsSignedRequest credential." };
        var url = new Argument<string>("URL") { Description = "The absolute URL to presign." };
        var expires = new Option<string>("--expires") { Description = "How long the URL works: 90s, 15m, 2h, 7d or hh:mm:ss (at most 7 days).", DefaultValueFactory = _ => "15m" };
        var method = new Option<string>("--method", "-X") { Description = "The method the URL is for.", DefaultValueFactory = _ => "GET" };
        var command = new Command("presign", $"""
            Prints a presigned SigV4 URL (X-Amz-* query parameters and signature); sends nothing.

            Examples:
              atomic-credentials presign --config appsettings.json s3 https://bucket.s3.eu-west-1.amazonaws.com/report.csv --expires 1h
              atomic-credentials presign s3 https://bucket.s3.eu-west-1.amazonaws.com/upload.bin --method PUT

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

            await using var source = Configured(parse, name, "AwsSignedRequest");
            var presigner = new AwsRequestPresigner(source.Services.GetRequiredService<IOptionsMonitor<AwsSignedRequestOptions>>(), name);
            var presigned = await presigner.PresignAsync(new HttpMethod(parse.GetValue(method)!.ToUpperInvariant()), uri, lifetime, ct).ConfigureAwait(false);
            console.Out.WriteLine(presigned.AbsoluteUri);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command PublicKey(CliConsole console)
    {
        var credential = new Argument<string>("CREDENTIAL") { Description = "A configured KeyPair credential." };
        var format = new Option<string>("--format", "-f") { Description = "pem, jwk or jwks.", DefaultValueFactory = _ => "pem" };
        format.AcceptOnlyFromAmong("pem", "jwk", "jwks");
        var command = new Command("public-key", $"""
            Prints the public half of a key-pair credential, for the partner that verifies its JWTs.

            Examples:
              atomic-credentials public-key --config appsettings.json partner --format jwks > jwks.json
              atomic-credentials public-key partner

            {ExitCodes.Help}
            """)
        {
            credential, format,
        };
        command.SetAction(async parse =>
        {
            var name = parse.GetValue(credential)!;
            await using var source = Configured(parse, name, "KeyPair");
            var key = KeyPairPublicKey.FromOptions(source.Services.GetRequiredService<IOptionsMonitor<KeyPairOptions>>().Get(name), name);
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

    // A store returns no secret to its caller, so these two read a configuration file.
    private static CredentialSource Configured(ParseResult parse, string name, string type)
    {
        if (parse.GetValue(CredentialSource.StoreOption) is not null)
        {
            throw new UsageException("this command reads configured credentials (--config): a store never hands a secret back");
        }

        var source = CredentialSource.Open(parse);
        if (source.Refusal(name) is { } why)
        {
            throw new CredentialException(name, type, why);
        }

        var actual = source.Definition(name)?["Type"];
        if (actual is null)
        {
            throw new CredentialException(name, type, $"Credential '{name}' is not in the configuration.");
        }

        if (!string.Equals(actual, type, StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"credential '{name}' is {actual}, not {type}");
        }

        return source;
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
