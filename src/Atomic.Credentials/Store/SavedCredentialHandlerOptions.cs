namespace Atomic.Credentials.Store;

/// <summary>How a client that picks its credential per request may pick it.</summary>
public sealed class SavedCredentialHandlerOptions
{
    /// <summary>
    /// When set, the client applies only saved credentials whose names start with this prefix
    /// (tenant isolation: a client limited to <c>acme/</c> never applies a <c>globex/</c> credential).
    /// Any other name is refused before anything is sent.
    /// </summary>
    public string? NamePrefix { get; set; }
}
