using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>The options a handler was constructed with, for use without dependency injection.</summary>
internal sealed class StaticOptionsMonitor<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(TOptions options) : IOptionsMonitor<TOptions>
{
    public TOptions CurrentValue => options;

    public TOptions Get(string? name) => options;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}
