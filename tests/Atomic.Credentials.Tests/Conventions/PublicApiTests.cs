using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Atomic.Credentials.PostgreSql;
using PublicApiGenerator;

namespace Atomic.Credentials.Tests.Conventions;

/// <summary>
/// The public API of every package is a contract: any change to it shows up here and must be
/// approved by regenerating its snapshot (run the tests with UPDATE_PUBLIC_API=1) and committing it.
/// </summary>
public sealed partial class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new()
    {
        // The state machine attributes name compiler-generated types (S3BucketClient.<ListObjectsAsync>d__17),
        // whose names change with any edit of the class: they say nothing about the contract.
        ExcludeAttributes =
        [
            "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
            typeof(AsyncIteratorStateMachineAttribute).FullName!, typeof(AsyncStateMachineAttribute).FullName!,
            typeof(IteratorStateMachineAttribute).FullName!,
        ],
        AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection"],
    };

    /// <summary>Each package's assembly and the snapshot file it is approved in.</summary>
    public static IEnumerable<TestCaseData> Packages()
    {
        yield return Package(typeof(CredentialOptions).Assembly, "PublicApi.approved.txt");
        yield return Package(typeof(Microsoft.Extensions.DependencyInjection.AtomicCredentialsRedisServiceCollectionExtensions).Assembly, "PublicApi.Redis.approved.txt");
        yield return Package(typeof(PostgreSqlCredentialStorage).Assembly, "PublicApi.PostgreSql.approved.txt");
    }

    [TestCaseSource(nameof(Packages))]
    public void Public_API_matches_the_approved_snapshot(Assembly assembly, string snapshot)
    {
        var actual = assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(SourceDirectory(), snapshot);

        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        Assert.That(actual, Is.EqualTo(approved),
            $"The public API changed. If intended, run the tests with UPDATE_PUBLIC_API=1 and commit {snapshot}.");
    }

    /// <summary>A name the compiler makes up (<c>&lt;M&gt;d__17</c>, <c>&lt;&gt;c</c>) changes with unrelated edits: the snapshot must hold none.</summary>
    [TestCaseSource(nameof(Packages))]
    public void The_snapshot_names_nothing_the_compiler_generated(Assembly assembly, string snapshot)
    {
        var generated = CompilerGeneratedName().Matches(assembly.GeneratePublicApi(Options)).Select(match => match.Value);

        Assert.That(generated, Is.Empty, $"{snapshot} would depend on compiler-generated names");
    }

    /// <summary>
    /// The generator leaves out System and Microsoft namespaces it is not told to allow: a public type
    /// put in one (an extension class in Microsoft.Extensions.Http, say) would escape the snapshot.
    /// </summary>
    [TestCaseSource(nameof(Packages))]
    public void Every_public_namespace_is_in_the_snapshot(Assembly assembly, string snapshot)
    {
        var api = assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n");
        var missing = assembly.GetExportedTypes()
            .Select(type => type.Namespace)
            .Distinct()
            .Where(space => !api.Contains($"namespace {space}\n", StringComparison.Ordinal));

        Assert.That(missing, Is.Empty, $"public types in namespaces {snapshot} leaves out: add them to AllowNamespacePrefixes");
    }

    private static TestCaseData Package(Assembly assembly, string snapshot) =>
        new TestCaseData(assembly, snapshot).SetArgDisplayNames(assembly.GetName().Name!);

    // <Name>d__17, <Name>b__0, <>c, <>c__DisplayClass, <Name>k__BackingField.
    [GeneratedRegex(@"<[^<>\s]*>[a-zA-Z0-9_]*__[a-zA-Z0-9_]*|<>[a-zA-Z0-9_]+")]
    private static partial Regex CompilerGeneratedName();

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
