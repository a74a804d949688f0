using FsCheck;
using FsCheck.Fluent;

namespace Atomic.Credentials.Tests.BadInput;

/// <summary>
/// Generators of hostile text: every ASCII character (controls, CR, LF, NUL, DEL, '%', '+', quotes),
/// line and paragraph separators, zero-width and byte-order marks, non-Latin letters, surrogate pairs
/// and lone surrogates, mixed with plain letters so that some inputs are almost valid.
/// </summary>
internal static class OddText
{
    private static readonly char[] Odd =
    [
        .. Enumerable.Range(0, 128).Select(c => (char)c),
        '\u0085', '\u00a0', '\u00e9', '\u2028', '\u2029', '\u200b', '\ufeff', '\ufffd', '\u65e5', '\u1234',
        '\ud83d', '\ude00', '\ud800', '\udfff',
    ];

    private static readonly char[] Plain = "abcXYZ019-._~".ToCharArray();

    public static Gen<string> Gen(int maxLength = 24) =>
        Text(maxLength, FsCheck.Fluent.Gen.Frequency((3, FsCheck.Fluent.Gen.Elements(Odd)), (1, FsCheck.Fluent.Gen.Elements(Plain))));

    public static Arbitrary<string> Arbitrary(int maxLength = 24) => Gen(maxLength).ToArbitrary();

    /// <summary>
    /// Hostile text half the time, plain letters the other half: a property over several fields then
    /// also reaches, often enough to matter, the case where every field is accepted.
    /// </summary>
    public static Arbitrary<string> OrPlain(int maxLength = 24) =>
        FsCheck.Fluent.Gen.OneOf(Gen(maxLength), Text(maxLength, FsCheck.Fluent.Gen.Elements(Plain))).ToArbitrary();

    private static Gen<string> Text(int maxLength, Gen<char> chars) =>
        FsCheck.Fluent.Gen.Choose(0, maxLength).SelectMany(length => chars.ArrayOf(length)).Select(text => new string(text));

    /// <summary>Runs <paramref name="check"/> bounded in time: a hang is a failure, not a stuck run.</summary>
    public static bool Bounded(Func<bool> check)
    {
        var run = Task.Run(check);
        return run.Wait(TimeSpan.FromSeconds(10)) ? run.Result : throw new TimeoutException("the input hung the library");
    }
}
