using System.Collections;
using Atomic.Credentials.DependencyInjection;
using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.Tests.BadInput;

/// <summary>
/// A seeded sweep over every kind and preset: a valid credential gets secret-shaped values in random
/// fields (in URLs, host entries, header and parameter values, claims, unknown fields, the Type, and
/// fields the binder must convert), then is registered and started as an app does. Whatever fails must
/// name the credential and the field, and no message, inner exception or <c>ToString()</c> may hold a
/// marker. Most cases must fail, so the sweep cannot pass by accepting everything.
/// </summary>
public sealed class StartupErrorSweep
{
    private const int CasesPerKind = 60;
    private const string Name = "cred";
    private const string MarkerPrefix = "SECRET-MARKER-";

    public static IEnumerable<string> Kinds => CredentialKinds.All.Select(kind => kind.Type);

    [Test]
    public void Every_kind_and_preset_is_swept() =>
        Assert.That(Kinds, Is.EquivalentTo(ConfiguredStart.Valid.Keys), "a new kind needs a valid credential in ConfiguredStart.Valid");

    [TestCaseSource(nameof(Kinds))]
    public async Task No_start_up_error_repeats_a_value(string type)
    {
        // string.GetHashCode differs between runs: the seed is made from the name so a failing case can be run again.
        var random = new Random(type.Aggregate(20261128, (seed, c) => unchecked((seed * 31) + c)));
        var failed = 0;
        var converted = 0;
        var validated = 0;
        for (var i = 0; i < CasesPerKind; i++)
        {
            var hostile = Case.Make(type, random);
            var failures = await ConfiguredStart.FailuresAsync(ConfiguredStart.Credential(Name, type, fields =>
            {
                foreach (var (key, value) in hostile.Fields)
                {
                    fields[key] = value;
                }
            }));
            var text = ConfiguredStart.AllText(failures);
            var where = $"case {i} of {type}: {string.Join(", ", hostile.Fields.Keys)}";

            Assert.That(text, Does.Not.Contain(MarkerPrefix).IgnoreCase, where);
            foreach (var expected in hostile.MustName)
            {
                Assert.That(text, Does.Contain(expected), where);
            }

            foreach (var failure in failures)
            {
                Assert.That(failure.Message, Does.Contain($"Credential '{Name}'"), where);
            }

            failed += failures.Count > 0 ? 1 : 0;
            converted += hostile.Converts ? 1 : 0;
            validated += failures.Count > 0 && hostile.Validates ? 1 : 0;
        }

        TestContext.Out.WriteLine($"{type}: {failed} of {CasesPerKind} failed; {converted} spoiled a converted value, {validated} were refused by the validator");
        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.GreaterThanOrEqualTo(CasesPerKind * 3 / 4), "too few cases failed for the sweep to mean anything");
            Assert.That(converted, Is.GreaterThanOrEqualTo(CasesPerKind / 10), "too few cases reached the binder's conversions");
            Assert.That(validated, Is.GreaterThanOrEqualTo(CasesPerKind / 6), "too few cases reached the validators");
        });
    }

    /// <summary>One hostile credential: the fields put on the valid one, and what its errors must name.</summary>
    private sealed class Case
    {
        private static readonly Func<string, string>[] Texts =
        [
            marker => marker,
            marker => $"https://svc:{marker}@api.example.com/",
            marker => $"https://api.example.com/token?secret={marker}#{marker}",
            marker => $"http://{marker}.example.com/",
            marker => $"{marker}\r\nX-Injected: 1",
            marker => $"{marker}/ with spaces:and:colons",
            marker => $"-----BEGIN {marker}-----\nAAAA\n-----END {marker}-----\n",
            marker => $"{marker}\ud800",
        ];

        private static readonly Func<string, string>[] HostEntries =
        [
            marker => $"https://svc:{marker}@api.example.com/",
            marker => $"{marker}.example.com/path?q={marker}",
            marker => $"*.{marker}*.example.com",
            marker => $"{marker}.example.com:443",
            marker => $"{marker}_\u00e9..example.com",
            marker => $"api.example.com\n{marker}",
        ];

        private static readonly Func<string, string>[] Unconvertible =
        [
            marker => marker,
            marker => $"true {marker}",
            marker => $"00:00:{marker}",
            marker => $"https://u:{marker}@h/",
            marker => $"1{marker}",
        ];

        public Dictionary<string, string?> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<string> MustName { get; } = [];

        /// <summary>Whether a value the binder must convert is spoiled.</summary>
        public bool Converts { get; private set; }

        /// <summary>Whether the credential registers and binds, so that its validator judges the values.</summary>
        public bool Validates { get; private set; }

        public static Case Make(string type, Random random)
        {
            var marker = MarkerPrefix + random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            var kind = CredentialKinds.FindByType(type)!;
            var hostile = new Case();
            var roll = random.NextDouble();
            if (roll < 0.08)
            {
                hostile.Fields["Type"] = Pick(random, Texts)(marker);
                hostile.MustName.Add($"Credential '{Name}': Type is not a credential kind (one of");
                return hostile;
            }

            if (roll < 0.2)
            {
                // The name of an unknown field is shown to help find it; its value never is.
                hostile.Fields["Bogus"] = Pick(random, Texts)(marker);
                hostile.MustName.Add($"Credential '{Name}' ({type}): Bogus is not a field of this kind");
                return hostile;
            }

            // A value the binder cannot convert stops binding before validation: in half the cases only
            // values that bind are spoiled, so the validators see them too.
            var converting = random.NextDouble() < 0.5;
            var properties = kind.OptionsType.GetProperties().Where(property => kind.Fields.Contains(property.Name)).ToList();
            while (hostile.Fields.Count == 0)
            {
                foreach (var property in properties)
                {
                    var converts = Converted(property.PropertyType);
                    if ((!converts || converting) && random.NextDouble() < (converts ? 0.6 : 0.3))
                    {
                        hostile.Spoil(property.Name, property.PropertyType, type, marker, random);
                    }
                }
            }

            hostile.Validates = !hostile.Converts;
            if (hostile.Converts)
            {
                // A value the binder cannot convert stops binding: validation, which judges host entries, never runs.
                hostile.MustName.RemoveAll(expected => expected.Contains("AllowedHosts[", StringComparison.Ordinal));
            }

            return hostile;
        }

        private void Spoil(string field, Type propertyType, string type, string marker, Random random)
        {
            var scalar = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            if (scalar == typeof(string))
            {
                Fields[field] = Pick(random, Texts)(marker);
            }
            else if (Converted(scalar))
            {
                Fields[field] = Pick(random, Unconvertible)(marker);
                MustName.Add($"Credential '{Name}' ({type}): {field} must be");
                Converts = true;
            }
            else if (propertyType.IsAssignableTo(typeof(IDictionary)) || propertyType.Name.StartsWith("IDictionary", StringComparison.Ordinal))
            {
                var entry = random.Next(4) switch
                {
                    0 => "X-Extra",
                    1 => "tenant:nested",
                    2 => "client_secret",
                    _ => "iss",
                };
                Fields[$"{field}:{entry}"] = Pick(random, Texts)(marker);
            }
            else if (propertyType.IsAssignableTo(typeof(IEnumerable)))
            {
                Fields[$"{field}:0"] = "api.example.com";
                Fields[$"{field}:1"] = Pick(random, HostEntries)(marker);
                if (field == nameof(CredentialOptions.AllowedHosts))
                {
                    MustName.Add($"Credential '{Name}' ({type}): AllowedHosts[1] ");
                }
            }
        }

        private static bool Converted(Type type)
        {
            var scalar = Nullable.GetUnderlyingType(type) ?? type;
            return scalar.IsEnum || scalar.IsPrimitive || scalar == typeof(TimeSpan);
        }

        private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
    }
}
