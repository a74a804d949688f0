using System.Text.RegularExpressions;
using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Atomic.Credentials.IntegrationTests.Documentation;

/// <summary>
/// Every ```csharp block of README.md and docs/*.md is compiled against the library and its companions,
/// each as a program of its own: the block's statements as top-level statements (its types after them),
/// the usual usings, and the names the documentation takes as given (<c>builder</c>, <c>services</c>,
/// <c>app</c>, <c>ct</c>, …) declared first unless the block declares them itself. A renamed or removed
/// API breaks this test, not the reader. Blocks marked json, bash or text are not compiled.
/// </summary>
[TestFixture]
public sealed partial class DocumentationSnippetTests
{
    // What a fragment may use without declaring it; each declared on its own, so a block may declare any of them.
    private static readonly (string Name, string Declaration)[] Givens =
    [
        ("builder", "var builder = WebApplication.CreateBuilder(args);"),
        ("services", "IServiceCollection services = new ServiceCollection();"),
        ("app", "WebApplication app = WebApplication.Create();"),
        ("ct", "var ct = CancellationToken.None;"),
        ("httpClientFactory", "IHttpClientFactory httpClientFactory = null!;"),
        ("rotatedDefinition", "JsonElement rotatedDefinition = default;"),
        ("order", "var order = new { Id = 1 };"),
        ("message", "var message = new { To = \"ada@example.com\" };"),
        ("marketo", "HttpClient marketo = new();"),
    ];

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The libraries documented, loaded so that their namespaces can be imported.
        _ = typeof(CredentialException).Assembly;
        _ = typeof(Microsoft.Extensions.DependencyInjection.AtomicCredentialsRedisServiceCollectionExtensions).Assembly;
        _ = typeof(PostgreSql.PostgreSqlCredentialStorage).Assembly;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    private static readonly string Usings = string.Concat(
        new[]
        {
            "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json", "System.Text",
            "System.Text.Json", "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.DataProtection",
            "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Options",
            "Microsoft.Extensions.Http",
        }
        .Concat(new[] { typeof(CredentialException), typeof(PostgreSql.PostgreSqlCredentialStorage) }
            .SelectMany(type => type.Assembly.GetExportedTypes())
            .Concat(typeof(Microsoft.Extensions.DependencyInjection.AtomicCredentialsRedisServiceCollectionExtensions).Assembly.GetExportedTypes())
            .Select(type => type.Namespace!))
        .Distinct()
        .Order(StringComparer.Ordinal)
        .Select(name => $"using {name};\n"));

    public static IEnumerable<TestCaseData> Snippets()
    {
        var files = new[] { Path.Combine(RepositoryPaths.Root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal);
            foreach (Match block in CSharpBlock().Matches(text))
            {
                var line = text[..block.Index].Count(c => c == '\n') + 1;
                var where = $"{Path.GetRelativePath(RepositoryPaths.Root, file)}:{line}";
                yield return new TestCaseData(where, Dedent(block.Groups["code"].Value)).SetArgDisplayNames(where);
            }
        }
    }

    [Test]
    public void The_documentation_has_csharp_blocks_in_the_readme_and_in_docs()
    {
        var places = Snippets().Select(snippet => (string)snippet.Arguments[0]!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(places.Count(place => place.StartsWith("README.md:", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2));
            Assert.That(places.Count(place => place.StartsWith("docs", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(10));
        });
    }

    [TestCaseSource(nameof(Snippets))]
    public void Compiles(string where, string code)
    {
        var errors = Compile(code).Select(error => error.ToString()).ToList();
        Assert.That(errors, Is.Empty, $"{where}: the block does not compile against the library:\n{code}");
    }

    internal static IReadOnlyList<Diagnostic> Compile(string code)
    {
        var givens = string.Concat(Givens
            .Where(given => !Regex.IsMatch(code, $@"\b(var|[A-Z][\w.<>]*)\s+{given.Name}\s*="))
            .Select(given => given.Declaration + "\n"));
        var source = Usings + "#pragma warning disable\n" + givens + "#line 1\n" + code + "\n";
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview))],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    // A fenced block inside a list item is indented: take the fence's indentation off every line.
    private static string Dedent(string code)
    {
        var lines = code.Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    [GeneratedRegex(@"^[ \t]*```csharp[ \t]*\n(?<code>.*?)^[ \t]*```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
