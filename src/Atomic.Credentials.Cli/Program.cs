namespace Atomic.Credentials.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => Cli.RunAsync(args, CliConsole.System);
}
