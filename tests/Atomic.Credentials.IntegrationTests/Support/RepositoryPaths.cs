namespace Atomic.Credentials.IntegrationTests.Support;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Peers => Path.Combine(Root, "tests", "peers");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atomic.Credentials.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Atomic.Credentials.sln not found above " + AppContext.BaseDirectory);
    }
}
