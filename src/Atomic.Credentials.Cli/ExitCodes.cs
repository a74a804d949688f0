namespace Atomic.Credentials.Cli;

/// <summary>The tool's exit codes (docs/cli.md and every command's --help list them).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The server answered with a status outside 2xx.</summary>
    public const int HttpError = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, unreadable file.</summary>
    public const int Usage = 2;

    /// <summary>A credential is invalid, not found, or its material could not be obtained (or a check failed).</summary>
    public const int CredentialFailure = 3;

    /// <summary>The request could not be sent or got no answer (connection refused, DNS, timeout).</summary>
    public const int TransportFailure = 4;

    /// <summary>Anything else: a store that cannot be opened, a bug. The message says what.</summary>
    public const int Unexpected = 5;

    public const string Help = """
        Exit codes: 0 success (2xx); 1 HTTP error status; 2 bad usage; 3 credential failure
        (invalid, not found, no token/JWT/signature; for check: any credential failed); 4 transport failure;
        5 anything else (a store that cannot be opened).
        """;
}
