using System.Globalization;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Aws;

/// <summary>The checks of <c>SigningAlgorithm</c> and <c>RegionSet</c>; each error names the field, never a value.</summary>
internal static class SigV4aOptionsRules
{
    // A region name or a pattern of one ("us-*", "*"); ',' would split the set, anything else is not a region.
    private static readonly System.Buffers.SearchValues<char> RegionCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-*");

    public static void Check(OptionsErrors errors, AwsSignedRequestOptions options)
    {
        var regions = options.RegionSet;
        if (regions is null || regions.Count == 0)
        {
            errors.Add(nameof(options.RegionSet), "is required with SigningAlgorithm SigV4a: the regions the signature is valid in, e.g. [\"*\"] or [\"us-east-1\", \"us-west-2\"]");
            return;
        }

        for (var index = 0; index < regions.Count; index++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"{nameof(options.RegionSet)}[{index}]");
            var region = regions[index];
            if (string.IsNullOrWhiteSpace(region))
            {
                errors.Add(field, "must not be blank");
            }
            else if (region.AsSpan().ContainsAnyExcept(RegionCharacters))
            {
                errors.Add(field, "must be a region name or a pattern of one (letters, digits, '-' and '*'), e.g. us-east-1 or *");
            }
        }
    }

    /// <summary>SigV4: a region set would be silently ignored, so it is refused.</summary>
    public static void CheckUnused(OptionsErrors errors, AwsSignedRequestOptions options)
    {
        if (!Enum.IsDefined(options.SigningAlgorithm))
        {
            errors.Add(nameof(options.SigningAlgorithm), "must be SigV4 or SigV4a");
        }
        else if (options.RegionSet is { Count: > 0 })
        {
            errors.Add(nameof(options.RegionSet), "is used only with SigningAlgorithm SigV4a (SigV4 signs for Region)");
        }
    }
}
