using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>Validation for handlers built without dependency injection: the same rules, at once.</summary>
internal static class OptionsGate
{
    public static TOptions Validated<TOptions>(IValidateOptions<TOptions> validator, string name, TOptions options)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = validator.Validate(name, options);
        return result.Failed ? throw new OptionsValidationException(name, typeof(TOptions), result.Failures) : options;
    }

    /// <summary>The options a handler is constructed with, validated at once, as the monitor its credential reads (they never change).</summary>
    public static StaticOptionsMonitor<TOptions> Fixed<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IValidateOptions<TOptions> validator, string name, TOptions options)
        where TOptions : class =>
        new(Validated(validator, name, options));
}
