using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// What every kind's validator does around its own checks: collect the problems of one options
/// instance under the credential's name and kind (never a value), and turn them into a result.
/// </summary>
internal abstract class CredentialOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : CredentialOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new OptionsErrors(name, options.Kind);
        Check(errors, options);
        return errors.Result;
    }

    /// <summary>Adds a problem to <paramref name="errors"/> for each field of <paramref name="options"/> that is wrong.</summary>
    protected abstract void Check(OptionsErrors errors, TOptions options);
}
