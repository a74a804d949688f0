using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace Atomic.Credentials.Tests.Conventions;

/// <summary>
/// The public API is a contract: any change to it shows up here and must be approved by
/// regenerating the snapshot (run the tests with UPDATE_PUBLIC_API=1) and committing it.
/// </summary>
public sealed class PublicApiTests
{
    [Test]
    public void Public_API_matches_the_approved_snapshot()
    {
        var actual = typeof(CredentialOptions).Assembly
            .GeneratePublicApi(new ApiGeneratorOptions
            {
                ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
                AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection"],
            })
            .ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(SourceDirectory(), "PublicApi.approved.txt");

        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        Assert.That(actual, Is.EqualTo(approved),
            "The public API changed. If intended, run the tests with UPDATE_PUBLIC_API=1 and commit PublicApi.approved.txt.");
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
