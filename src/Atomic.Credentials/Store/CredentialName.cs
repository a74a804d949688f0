namespace Atomic.Credentials.Store;

/// <summary>
/// What a saved credential's name may be: free-form text (<c>tenant/credential</c> by convention),
/// but not empty, not padded, not longer than <see cref="MaxLength"/>, and printable, so it reads
/// the same in a log line, an error and every storage.
/// </summary>
internal static class CredentialName
{
    public const int MaxLength = 256;

    public static void Validate(string? name)
    {
        if (Problem(name) is { } problem)
        {
            throw new CredentialException(name ?? string.Empty, CredentialStore.UnknownKind, problem);
        }
    }

    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "the name must not be empty.";
        }

        if (name.Length > MaxLength)
        {
            return $"the name is {name.Length} characters long; at most {MaxLength} are allowed.";
        }

        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return "the name must not start or end with white space.";
        }

        if (name.AsSpan().ContainsAnyInRange('\0', '\x1f') || name.Contains('\x7f', StringComparison.Ordinal))
        {
            return "the name must not contain control characters.";
        }

        // A lone surrogate does not survive UTF-8 (SQLite, PostgreSQL): two names would become one.
        return Internal.OptionsErrors.IsValidText(name)
            ? null
            : "the name is not valid Unicode text (it has a lone surrogate).";
    }
}
