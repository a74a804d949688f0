using System.Globalization;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// Collects validation problems, each naming the credential, its kind and the field; never a value.
/// </summary>
internal sealed class OptionsErrors(string? credentialName, string kind)
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    private static readonly System.Buffers.SearchValues<char> HostLabelCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private readonly List<string> problems = [];

    public void Add(string field, string problem) =>
        problems.Add($"Credential '{credentialName ?? Options.DefaultName}' ({kind}): {field} {problem}.");

    public ValidateOptionsResult Result => problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

    /// <summary>The checks every kind shares.</summary>
    public void AddCommon(CredentialOptions options)
    {
        if (options.AllowedHosts is null)
        {
            Add(nameof(CredentialOptions.AllowedHosts), "must not be null");
            return;
        }

        for (var index = 0; index < options.AllowedHosts.Count; index++)
        {
            if (HostRule.TryParse(options.AllowedHosts[index], out _) is { } problem)
            {
                Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(CredentialOptions.AllowedHosts)}[{index}]"), problem);
            }
        }
    }

    /// <summary>Rejects empty values and values with control characters (CR/LF would split a header).</summary>
    public bool Required(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "is required");
            return false;
        }

        return NoControlCharacters(field, value);
    }

    public bool NoControlCharacters(string field, string? value)
    {
        if (value is not null && value.AsSpan().ContainsAnyInRange('\0', '\x1f') || value?.Contains('\x7f', StringComparison.Ordinal) == true)
        {
            Add(field, "must not contain control characters such as CR or LF");
            return false;
        }

        if (value is not null && !IsValidText(value))
        {
            // A lone surrogate would be sent as U+FFFD: a different secret from the one configured, failing far from here.
            Add(field, "is not valid Unicode text (it has a lone surrogate)");
            return false;
        }

        return true;
    }

    /// <summary>An endpoint the secret is sent to: absolute, https (http only to loopback or when allowed), no user info or fragment.</summary>
    public void EndpointUrl(string field, string? url, bool allowInsecureTransport)
    {
        if (!Required(field, url))
        {
            return;
        }

        var transport = Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? TransportRule.Judge(uri, allowInsecureTransport)
            : TransportRule.Transport.NotHttp;
        if (transport == TransportRule.Transport.NotHttp)
        {
            Add(field, "must be an absolute http or https URL");
        }
        else if (transport == TransportRule.Transport.InsecureHttp)
        {
            // The secret would cross the network in clear.
            Add(field, "must use https (plain http only to a loopback host, or with AllowInsecureTransport)");
        }
        else if (uri!.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            Add(field, "must not contain user information or a fragment");
        }
    }

    /// <summary>A request timeout: more than zero, at most ten minutes.</summary>
    public void Timeout(string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            Add(field, "must be more than zero and at most ten minutes");
        }
    }

    /// <summary>Whether <paramref name="value"/> can stand as one label of a host name (letters, digits, inner '-').</summary>
    public static bool IsHostLabel(string value) =>
        value.Length is > 0 and <= 63 && !value.AsSpan().ContainsAnyExcept(HostLabelCharacters) && !value.StartsWith('-') && !value.EndsWith('-');

    /// <summary>Whether <paramref name="value"/> is well-formed UTF-16 (no lone surrogate).</summary>
    public static bool IsValidText(ReadOnlySpan<char> value)
    {
        while (!value.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(value, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            value = value[consumed..];
        }

        return true;
    }
}
