using System.Text;

namespace Atomic.Credentials.OAuth;

/// <summary>
/// Cleans text that comes from the identity provider or the network before it goes into our
/// messages: some providers echo the submitted secret in <c>error_description</c>.
/// </summary>
internal sealed class SecretScrubber
{
    private const int MaxLength = 500;
    private readonly string[] secrets;

    public SecretScrubber(params IEnumerable<string?> values) =>
        secrets = [.. values
            .Where(value => !string.IsNullOrEmpty(value))
            .SelectMany(value => new[] { value!, Uri.EscapeDataString(value!), Uri.EscapeDataString(value!).Replace("%20", "+", StringComparison.Ordinal) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(value => value.Length)];

    public string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        // Scrubbed before it is cut short, so no prefix of a secret survives the cut.
        var clean = new StringBuilder(text);
        foreach (var secret in secrets)
        {
            clean.Replace(secret, "***");
        }

        if (clean.Length > MaxLength)
        {
            clean.Length = MaxLength;
            clean.Append('…');
        }

        for (var i = 0; i < clean.Length; i++)
        {
            if (char.IsControl(clean[i]))
            {
                clean[i] = ' ';
            }
        }

        return clean.ToString();
    }
}
