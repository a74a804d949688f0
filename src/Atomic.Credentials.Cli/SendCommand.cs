using System.CommandLine;

namespace Atomic.Credentials.Cli;

/// <summary><c>send</c>: one curl-like request with a credential applied by the handler a service uses.</summary>
internal static class SendCommand
{
    public static Command Create(CliConsole console)
    {
        var credential = new Argument<string>("CREDENTIAL") { Description = "The credential's name (configured or saved)." };
        var method = new Argument<string>("METHOD") { Description = "GET, POST, PUT, DELETE, …" };
        var url = new Argument<string>("URL") { Description = "The absolute URL, or a path for a preset that knows its API's address." };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header, 'Name: value' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var data = new Option<string?>("--data", "-d") { Description = "The request body: text, @file, or @- for standard input." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the response body to this file." };
        var include = new Option<bool>("--include", "-i") { Description = "Print the response status line and headers before the body." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print what was sent (credential values masked) and the timings, to standard error." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the request that would be sent, masked; send nothing but what obtaining the material needs." };

        var command = new Command("send", $"""
            Sends one request with a credential applied, like curl.

            Examples:
              atomic-credentials send --config appsettings.json crm GET https://api.example.com/v1/accounts
              atomic-credentials send --store credentials.db acme/hooks POST https://hooks.example.com/in -H 'Content-Type: application/json' -d @order.json -v
              atomic-credentials send crm GET https://api.example.com/v1/me --dry-run

            {ExitCodes.Help}
            """)
        {
            credential, method, url, headers, data, output, include, verbose, dryRun,
        };

        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(credential)!;
            var dry = parse.GetValue(dryRun);
            using var request = BuildRequest(parse.GetValue(method)!, parse.GetValue(url)!, parse.GetValue(headers) ?? [], parse.GetValue(data), console);
            var capture = new RequestCapture { DryRun = dry };
            request.Options.Set(RequestCapture.Key, capture);

            using var timings = parse.GetValue(verbose) || dry ? new CredentialTimings() : null;
            await using var source = CredentialSource.Open(parse, dry);
            using var client = source.CreateClient(name);
            source.Name(request, name);
            if (!request.RequestUri!.IsAbsoluteUri && client.BaseAddress is null)
            {
                // A saved preset: the no-name client has no address, the saved definition does.
                var address = source.IsStore ? await source.SavedStore.GetBaseAddressAsync(name, ct).ConfigureAwait(false) : null;
                request.RequestUri = address is not null ? new Uri(address, request.RequestUri)
                    : throw new UsageException($"'{request.RequestUri}' is not an absolute URL, and credential '{name}' knows no API address");
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (dry)
            {
                WriteSent(console.Out, capture, prefix: "");
                timings?.WriteTo(console.Out);
                console.Out.WriteLine($"# credential: {capture.CredentialTime.TotalMilliseconds:F0} ms (nothing sent)");
                return ExitCodes.Success;
            }

            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(verbose))
            {
                WriteSent(console.Error, capture, prefix: "> ");
                console.Error.WriteLine($"< HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}");
                timings?.WriteTo(console.Error);
                console.Error.WriteLine($"* credential {capture.CredentialTime.TotalMilliseconds:F0} ms, request {capture.ExchangeTime.TotalMilliseconds:F0} ms, {body.Length} bytes");
            }

            if (parse.GetValue(include))
            {
                console.Out.WriteLine($"HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}");
                foreach (var header in response.Headers.Concat(response.Content.Headers))
                {
                    console.Out.WriteLine($"{header.Key}: {string.Join(", ", header.Value)}");
                }

                console.Out.WriteLine();
            }

            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllBytesAsync(file, body, ct).ConfigureAwait(false);
            }
            else
            {
                console.Out.Write(System.Text.Encoding.UTF8.GetString(body));
                console.Out.Flush();
            }

            return response.IsSuccessStatusCode ? ExitCodes.Success : ExitCodes.HttpError;
        });
        return command;
    }

    /// <summary>The request as it went out: method, URL and headers, every value the credential set masked.</summary>
    public static void WriteSent(TextWriter writer, RequestCapture capture, string prefix)
    {
        var masked = capture.CredentialHeaders();
        writer.WriteLine($"{prefix}{capture.MethodSent} {Masking.Url(capture.UriSent!)}");
        foreach (var (name, value) in capture.HeadersSent)
        {
            writer.WriteLine($"{prefix}{name}: {(masked.Contains(name) ? Masking.Value(value) : value)}");
        }
    }

    private static HttpRequestMessage BuildRequest(string method, string url, string[] headers, string? data, CliConsole console)
    {
        if (!Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out var uri))
        {
            throw new UsageException($"not a URL: {url}");
        }

        var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), uri);
        if (data is not null)
        {
            request.Content = new ByteArrayContent(data switch
            {
                "@-" => System.Text.Encoding.UTF8.GetBytes(console.In.ReadToEnd()),
                _ when data.StartsWith('@') => File.Exists(data[1..]) ? File.ReadAllBytes(data[1..]) : throw new UsageException($"file not found: {data[1..]}"),
                _ => System.Text.Encoding.UTF8.GetBytes(data),
            });
        }

        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new UsageException($"a header is 'Name: value': {header}");
            }

            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                if (!request.Content.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new UsageException($"cannot send header {name}");
                }
            }
        }

        return request;
    }

}
