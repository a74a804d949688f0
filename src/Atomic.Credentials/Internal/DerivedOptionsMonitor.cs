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
/// The derived instances are shared by every monitor of the same pair of types (each pair has one
/// derivation: <c>ToAws</c>, <c>ToOAuth</c>). <c>IHttpClientFactory</c> builds a new handler, and so a
/// new monitor, every two minutes; sharing keeps one derived instance per options instance across
/// them, and with it what it learned (Salesforce Marketing Cloud's instance URLs from the last token
/// response). Reading it is lock-free: it runs on every request.
/// </remarks>
internal sealed class DerivedOptionsMonitor<
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TFrom,
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TTo> : IOptionsMonitor<TTo>
    where TFrom : class
    where TTo : class
{
    private static readonly ConditionalWeakTable<TFrom, TTo> Derived = new();

    private readonly IOptionsMonitor<TFrom> source;
    private readonly ConditionalWeakTable<TFrom, TTo>.CreateValueCallback derive;

    public DerivedOptionsMonitor(IOptionsMonitor<TFrom> source, Func<TFrom, TTo> derive)
    {
        this.source = source;
        this.derive = from => derive(from);
    }

    public TTo CurrentValue => Get(Options.DefaultName);

    public TTo Get(string? name) => Derived.GetValue(source.Get(name ?? Options.DefaultName), derive);

    public IDisposable? OnChange(Action<TTo, string?> listener) =>
        source.OnChange((_, name) => listener(Get(name), name));
}
