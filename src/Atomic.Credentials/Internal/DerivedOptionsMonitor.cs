using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Internal;

/// <summary>
/// An integration preset's options seen as the kind's own: derived once per options instance, so
/// a reload (a new instance) gives a new derived instance and the kind rebuilds its state, as it
/// would for its own options.
/// </summary>
/// <remarks>
/// Derived once per source instance, so the credential's per-request check "are these still my
/// options?" stays a reference comparison. Nothing learned at run time lives on a derived instance
/// (what a token teaches travels with the token). Reading it is lock-free: it runs on every request.
/// </remarks>
internal sealed class DerivedOptionsMonitor<
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFrom,
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TTo> : IOptionsMonitor<TTo>
    where TFrom : class
    where TTo : class
{
    private readonly ConditionalWeakTable<TFrom, TTo> derived = new();

    private readonly IOptionsMonitor<TFrom> source;
    private readonly ConditionalWeakTable<TFrom, TTo>.CreateValueCallback derive;

    public DerivedOptionsMonitor(IOptionsMonitor<TFrom> source, Func<TFrom, TTo> derive)
    {
        this.source = source;
        this.derive = from => derive(from);
    }

    public TTo CurrentValue => Get(Options.DefaultName);

    public TTo Get(string? name) => derived.GetValue(source.Get(name ?? Options.DefaultName), derive);

    public IDisposable? OnChange(Action<TTo, string?> listener) =>
        source.OnChange((_, name) => listener(Get(name), name));
}
