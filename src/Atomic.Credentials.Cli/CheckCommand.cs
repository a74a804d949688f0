using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Cli;

/// <summary><c>check</c>: validates each credential and obtains its material, sending nothing to any API.</summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var names = new Argument<string[]>("NAME") { Description = "The credentials to check (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "One JSON array for scripts instead of the table." };
        var url = new Option<string?>("--url") { Description = "The URL each credential is applied to (default: https:// its first AllowedHosts entry, or its preset's API)." };
        var command = new Command("check", $"""
            Validates every credential with the start-up rules, then obtains its material (a token, a JWT,
            a signature) for a request that is never sent, and prints name, kind, result, expiry and time.

            Examples:
              atomic-credentials check --config appsettings.json
              atomic-credentials check --store credentials.db acme/crm acme/s3 --json

            {ExitCodes.Help}
            """)
        {
            names, json, url,
        };

        command.SetAction(async (parse, ct) =>
        {
            await using var source = CredentialSource.Open(parse, dryRun: true);
            var all = await source.ListAsync(ct).ConfigureAwait(false);
            var wanted = parse.GetValue(names) is { Length: > 0 } chosen
                ? chosen.Select(n => (n, all.FirstOrDefault(a => a.Name == n).Kind ?? "?")).ToList()
                : all.ToList();
            var results = new List<CheckResult>();
            foreach (var (name, kind) in wanted)
            {
                if (!parse.GetValue(json))
                {
                    console.Error.WriteLine($"[{results.Count + 1}/{wanted.Count}] {name}…");
                }

                results.Add(await CheckAsync(source, name, kind, parse.GetValue(url), ct).ConfigureAwait(false));
            }

            if (parse.GetValue(json))
            {
                console.Out.WriteLine(ToJson(results));
            }
            else
            {
                WriteTable(console.Out, results);
            }

            return results.All(r => r.Ok) && results.Count > 0 ? ExitCodes.Success : ExitCodes.CredentialFailure;
        });
        return command;
    }

    private static async Task<CheckResult> CheckAsync(CredentialSource source, string name, string kind, string? url, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var client = source.CreateClient(name);
            var target = url is not null ? new Uri(url)
                : client.BaseAddress is not null ? new Uri("/", UriKind.Relative)
                : await TargetAsync(source, name, ct).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            var capture = new RequestCapture { DryRun = true };
            request.Options.Set(RequestCapture.Key, capture);
            source.Name(request, name);
            using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
            var material = capture.CredentialHeaders();
            var authorization = capture.HeadersSent.FirstOrDefault(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value;
            return new CheckResult(name, kind, true, JwtExpiry(authorization), Stopwatch.GetElapsedTime(started),
                material.Count > 0 ? "sets " + string.Join(", ", material.Order(StringComparer.OrdinalIgnoreCase)) : null);
        }
        catch (Exception e) when (e is CredentialException or OptionsValidationException or InvalidOperationException or HttpRequestException or UriFormatException)
        {
            return new CheckResult(name, kind, false, null, Stopwatch.GetElapsedTime(started), OneLine(e.Message));
        }
    }

    // A host the credential's guard allows: the first AllowedHosts entry (a wildcard made concrete).
    private static async Task<Uri> TargetAsync(CredentialSource source, string name, CancellationToken ct)
    {
        string? host;
        if (source.Definition(name) is { } definition)
        {
            host = definition["AllowedHosts:0"];
        }
        else
        {
            var info = await source.Store.GetInfoAsync(name, ct).ConfigureAwait(false);
            host = info is not null && info.Fields.ValueKind == JsonValueKind.Object
                && info.Fields.TryGetProperty("AllowedHosts", out var hosts) && hosts.ValueKind == JsonValueKind.Array && hosts.GetArrayLength() > 0
                ? hosts[0].GetString() : null;
        }

        host = host?.Replace("*.", "check.", StringComparison.Ordinal) ?? "atomic-credentials-check.invalid";
        return new Uri($"https://{host}/");
    }

    /// <summary>The <c>exp</c> of a bearer JWT, when the material is one.</summary>
    private static DateTimeOffset? JwtExpiry(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = authorization[7..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
            return document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));

    private static void WriteTable(TextWriter writer, List<CheckResult> results)
    {
        string[] heading = ["NAME", "KIND", "RESULT", "EXPIRES", "TIME", "DETAIL"];
        var rows = results.Select(r => new[]
        {
            r.Name, r.Kind, r.Ok ? "ok" : "FAILED", r.Expires?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            $"{r.Time.TotalMilliseconds:F0} ms", r.Detail ?? "",
        }).Prepend(heading).ToList();
        var widths = Enumerable.Range(0, heading.Length - 1).Select(i => rows.Max(row => row[i].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < widths.Length; i++)
            {
                line.Append(row[i].PadRight(widths[i])).Append("  ");
            }

            writer.WriteLine(line.Append(row[^1]).ToString().TrimEnd());
        }

        var failed = results.Count(r => !r.Ok);
        writer.WriteLine(failed == 0 ? $"{results.Count} ok" : $"{failed} of {results.Count} failed");
    }

    private static string ToJson(List<CheckResult> results)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteString("name", r.Name);
                json.WriteString("kind", r.Kind);
                json.WriteBoolean("ok", r.Ok);
                if (r.Expires is { } expires)
                {
                    json.WriteString("expires", expires);
                }
                else
                {
                    json.WriteNull("expires");
                }

                json.WriteNumber("milliseconds", Math.Round(r.Time.TotalMilliseconds, 1));
                json.WriteString(r.Ok ? "detail" : "error", r.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed record CheckResult(string Name, string Kind, bool Ok, DateTimeOffset? Expires, TimeSpan Time, string? Detail);
}
