using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// An integration preset's options seen as the kind's own: derived once per options instance, so
/// a reload (a new instance) gives a new derived instance and the kind rebuilds its state, as it
/// would for its own options.
/// </summary>
internal sealed class DerivedOptionsMonitor<
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFrom,
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TTo>(
    IOptionsMonitor<TFrom> source, Func<TFrom, TTo> derive) : IOptionsMonitor<TTo>
    where TFrom : class
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (TFrom From, TTo To)> derived = new(StringComparer.Ordinal);

    public TTo CurrentValue => Get(Options.DefaultName);

    public TTo Get(string? name)
    {
        name ??= Options.DefaultName;
        var from = source.Get(name);
        lock (gate)
        {
            if (derived.TryGetValue(name, out var pair) && ReferenceEquals(pair.From, from))
            {
                return pair.To;
            }

            var to = derive(from);
            derived[name] = (from, to);
            return to;
        }
    }

    public IDisposable? OnChange(Action<TTo, string?> listener) =>
        source.OnChange((_, name) => listener(Get(name), name));
}
