namespace Atomic.Credentials;

/// <summary>HTTP Basic authentication (RFC 7617): <c>Type: "BasicAuth"</c>.</summary>
public sealed class BasicAuthOptions : CredentialOptions
{
    internal const string KindName = "BasicAuth";

    /// <summary>The user name. Required; must not contain <c>:</c>.</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>The password. May be empty; any Unicode text, sent as UTF-8.</summary>
    public string Password { get; set; } = string.Empty;

    internal override string Kind => KindName;
}
