using Atomic.Credentials.DependencyInjection;

namespace Atomic.Credentials.Tests.Store;

/// <summary>The per-kind allow-lists of fields a saved credential shows in clear.</summary>
public sealed class PublicFieldsTests
{
    private static readonly string[] AlwaysSecret =
        ["Password", "ClientSecret", "SecretAccessKey", "SessionToken", "PrivateKey", "Passphrase", "Headers", "AdditionalParameters", "Claims", "DpopKey"];

    private static IEnumerable<TestCaseData> Kinds() => CredentialKinds.All.Select(kind => new TestCaseData(kind.Type));

    [TestCaseSource(nameof(Kinds))]
    public void Every_public_field_is_a_field_of_the_kind_and_no_secret_is_public(string type)
    {
        var kind = CredentialKinds.FindByType(type)!;

        Assert.That(kind.PublicFields, Is.SubsetOf(kind.Fields));
        Assert.That(kind.PublicFields.Intersect(AlwaysSecret, StringComparer.OrdinalIgnoreCase), Is.Empty);
        Assert.That(kind.PublicFields.Contains("allowedhosts") && kind.PublicFields.Contains("AllowInsecureTransport"), Is.True,
            "where a credential may go is shown, matched case-insensitively as configuration is");
    }

    [Test]
    public void Every_kind_has_a_definition_in_the_sweep()
    {
        Assert.That(SavedDefinitions.All().Select(saved => saved.Type).Distinct(), Is.EquivalentTo(CredentialKinds.All.Select(kind => kind.Type)));
    }
}
