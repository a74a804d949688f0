using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Basic;

internal sealed class BasicAuthOptionsValidator : CredentialOptionsValidator<BasicAuthOptions>
{
    protected override void Check(OptionsErrors errors, BasicAuthOptions options)
    {
        errors.AddCommon(options);
        if (errors.Required(nameof(options.Username), options.Username) && options.Username.Contains(':', StringComparison.Ordinal))
        {
            // RFC 7617: the first colon separates user-id from password.
            errors.Add(nameof(options.Username), "must not contain ':' (RFC 7617)");
        }

        if (options.Password is null)
        {
            errors.Add(nameof(options.Password), "must not be null");
        }
        else
        {
            errors.NoControlCharacters(nameof(options.Password), options.Password);
        }
    }
}
