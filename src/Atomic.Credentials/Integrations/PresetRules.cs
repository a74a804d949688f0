using System.Buffers;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.OAuth;

/// <summary>Checks the integration presets share.</summary>
internal static class PresetRules
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public static readonly SearchValues<char> HostLabel =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    public static void Timeout(OptionsErrors errors, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            errors.Add(field, "must be more than zero and at most ten minutes");
        }
    }
}
