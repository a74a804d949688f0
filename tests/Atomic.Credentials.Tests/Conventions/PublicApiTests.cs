using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace Atomic.Credentials.Tests.Conventions;

/// <summary>
/// The public API is a contract: any change to it shows up here and must be approved by
/// regenerating the snapshot (run the tests with UPDATE_PUBLIC_API=1) and committing it.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new()
    {
        ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection"],
    };

    [Test]
    public void Public_API_matches_the_approved_snapshot()
    {
        var actual = typeof(CredentialOptions).Assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(SourceDirectory(), "PublicApi.approved.txt");

        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        Assert.That(actual, Is.EqualTo(approved),
            "The public API changed. If intended, run the tests with UPDATE_PUBLIC_API=1 and commit PublicApi.approved.txt.");
    }

    /// <summary>
    /// The generator leaves out System and Microsoft namespaces it is not told to allow: a public type
    /// put in one (an extension class in Microsoft.Extensions.Http, say) would escape the snapshot.
    /// </summary>
    [Test]
    public void Every_public_namespace_is_in_the_snapshot()
    {
        var api = typeof(CredentialOptions).Assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n");
        var missing = typeof(CredentialOptions).Assembly.GetExportedTypes()
            .Select(type => type.Namespace)
            .Distinct()
            .Where(space => !api.Contains($"namespace {space}\n", StringComparison.Ordinal));

        Assert.That(missing, Is.Empty, "public types in namespaces the snapshot leaves out: add them to AllowNamespacePrefixes");
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
