using System.Net;
using System.Text;

namespace Atomic.Credentials;

/// <summary>
/// A credential could not be obtained or applied, or a request was refused to protect it.
/// The message never carries a secret.
/// </summary>
public sealed class CredentialException : Exception
{
    /// <summary>Creates an exception for a credential.</summary>
    public CredentialException(string credentialName, string kind, string message, Exception? innerException = null)
        : base(Compose(credentialName, kind, message, null, null, null), innerException)
    {
        CredentialName = credentialName;
        Kind = kind;
    }

    /// <summary>Creates an exception for a failed token request.</summary>
    public CredentialException(
        string credentialName,
        string kind,
        string message,
        HttpStatusCode? statusCode,
        string? error,
        string? errorDescription,
        Exception? innerException = null)
        : base(Compose(credentialName, kind, message, statusCode, error, errorDescription), innerException)
    {
        CredentialName = credentialName;
        Kind = kind;
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
    }

    /// <summary>The credential's name, as registered.</summary>
    public string CredentialName { get; }

    /// <summary>The credential's kind, as in configuration's <c>Type</c>.</summary>
    public string Kind { get; }

    /// <summary>The identity provider's status code, when a token request failed.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The OAuth <c>error</c> code, when the identity provider sent one.</summary>
    public string? Error { get; }

    /// <summary>The OAuth <c>error_description</c>, when the identity provider sent one.</summary>
    public string? ErrorDescription { get; }

    /// <summary>
    /// When the identity provider asked to be left alone (a <c>429</c> or <c>5xx</c>, with or without
    /// <c>Retry-After</c>): the instant from which a token is requested again. No token request is sent before it.
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; internal set; }

    private static string Compose(
        string credentialName, string kind, string message, HttpStatusCode? statusCode, string? error, string? description)
    {
        var text = new StringBuilder();
        text.Append("Credential '").Append(credentialName).Append("' (").Append(kind).Append("): ").Append(message);
        if (statusCode is { } status)
        {
            text.Append(" Status: ").Append((int)status).Append(' ').Append(status).Append('.');
        }

        if (!string.IsNullOrEmpty(error))
        {
            text.Append(" Error: ").Append(error).Append('.');
        }

        if (!string.IsNullOrEmpty(description))
        {
            text.Append(" Description: ").Append(description);
        }

        return text.ToString();
    }
}
