using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atomic.Credentials.IntegrationTests.Support;

namespace Atomic.Credentials.IntegrationTests.Samples;

/// <summary>
/// The README's first command, run as a user runs it: twice against one store file. Each step's
/// verdict is the same both times, and no secret the tour saved or configured appears in its output.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class TourTests
{
    private static readonly string TourFolder = Path.Combine(RepositoryPaths.Root, "samples", "Atomic.Credentials.Tour");

    // Section → (credential, verdict) rows, in the order the tour prints them.
    private static readonly (string Section, string Credential, string Verdict)[] Expected =
    [
        ("2", "tour/legacy", "accepted"), ("2", "tour/apikey", "accepted"), ("2", "tour/crm", "accepted"), ("2", "tour/partner", "accepted"),
        ("2", "tour/s3", "accepted"), ("2", "tour/exports", "accepted"), ("2", "tour/sfmc", "accepted"), ("2", "tour/marketo", "accepted"),
        ("3", "tour/apikey", "accepted"),
        ("4", "tour/legacy", "refused, not sent"),
        ("5", "legacy", "accepted"), ("5", "apikey", "accepted"), ("5", "crm", "accepted"), ("5", "marketing", "accepted"),
        ("5", "partner", "accepted"), ("5", "s3", "accepted"), ("5", "s3-presigned", "accepted"),
    ];

    [Test]
    public async Task Two_runs_on_one_store_file_give_the_same_verdicts_and_print_no_secret()
    {
        var folder = Directory.CreateTempSubdirectory("tour-test-");
        try
        {
            var store = Path.Combine(folder.FullName, "credentials.db");
            var first = await RunTourAsync(store);
            var second = await RunTourAsync(store);

            foreach (var (run, output, created) in new[] { (1, first, "created"), (2, second, "reused") })
            {
                Assert.Multiple(() =>
                {
                    Assert.That(output, Does.Contain($"Saved credentials: {store} ({created};"), $"run {run}");
                    Assert.That(Rows(output), Is.EqualTo(Expected), $"run {run}: each step's verdict\n{output}");
                    Assert.That(Section(output, "2."), Does.Match(@"\| tour/apikey +\| POST /headers/events +\| X-Api-Key is the first key"), $"run {run}: before the rotation");
                    Assert.That(Section(output, "3."), Does.Contain("X-Api-Key is the rotated key"), $"run {run}: the rotated key was carried");
                    Assert.That(Section(output, "4."), Does.Contain("no request reached the demo API"), $"run {run}: nothing was sent");
                    Assert.That(output, Does.Contain("Every verdict as expected"), $"run {run}");
                });

                // The listing: every saved credential with its type and version, no secret.
                var listing = Section(output, "1.");
                foreach (var name in new[] { "tour/legacy", "tour/apikey", "tour/crm", "tour/partner", "tour/s3", "tour/exports", "tour/sfmc", "tour/marketo" })
                {
                    Assert.That(listing, Does.Match($@"\| {Regex.Escape(name)} +\| \w+ +\| v\d+ "), $"run {run}: {name} listed");
                }

                foreach (var secret in Secrets())
                {
                    Assert.That(output.Contains(secret, StringComparison.Ordinal), Is.False, $"run {run} printed a secret ({secret.Length} characters)");
                }
            }

            // A second save of an existing name raises its version: the store was reused, not recreated.
            Assert.That(Version(second, "tour/crm"), Is.GreaterThan(Version(first, "tour/crm")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<string> RunTourAsync(string store)
    {
        var configuration = typeof(TourTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(TourFolder, "bin", configuration, "net10.0", "Atomic.Credentials.Tour.dll");
        Assert.That(File.Exists(dll), Is.True, "the tour is built with the tests: " + dll);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--store");
        info.ArgumentList.Add(store);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.Zero, output);
        return output;
    }

    private static List<(string Section, string Credential, string Verdict)> Rows(string output)
    {
        var rows = new List<(string, string, string)>();
        string? section = null;
        foreach (var line in output.Split('\n'))
        {
            var heading = SectionHeading().Match(line);
            if (heading.Success)
            {
                section = heading.Groups[1].Value;
                continue;
            }

            var cells = line.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
            if (section is not null and not "1" && line.StartsWith("| ", StringComparison.Ordinal) && cells.Length == 4 && cells[0] != "Credential")
            {
                rows.Add((section, cells[0], cells[3]));
            }
        }

        return rows;
    }

    private static string Section(string output, string heading)
    {
        var start = output.IndexOf("\n" + heading + " ", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"section {heading}");
        var end = output.IndexOf("\n\n", start + 2, StringComparison.Ordinal);
        return end < 0 ? output[start..] : output[start..end];
    }

    private static long Version(string output, string name) =>
        long.Parse(Regex.Match(Section(output, "1."), $@"\| {Regex.Escape(name)} +\| \w+ +\| v(\d+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every secret the tour saves, rotates to or configures, and its JSON-escaped form.</summary>
    private static HashSet<string> Secrets()
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        void Collect(JsonElement element, string? field)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        Collect(property.Value, field == "Headers" ? "Headers" : property.Name);
                    }

                    break;
                case JsonValueKind.String when field is "Password" or "ClientSecret" or "SecretAccessKey" or "SessionToken" or "PrivateKey"
                    || (field == "Headers" && element.GetString()!.Length > 8):
                    var value = element.GetString()!;
                    secrets.Add(value);
                    secrets.Add(JsonEncodedText.Encode(value).ToString());
                    if (field == "PrivateKey")
                    {
                        secrets.UnionWith(value.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));
                    }

                    break;
            }
        }

        foreach (var file in new[] { "appsettings.json", "credentials-to-save.json" })
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TourFolder, file)));
            Collect(document.RootElement, null);
        }

        Assert.That(secrets, Has.Count.GreaterThan(20), "the sweep found the tour's secrets");
        return secrets;
    }

    [GeneratedRegex(@"^(\d)\. ")]
    private static partial Regex SectionHeading();
}
