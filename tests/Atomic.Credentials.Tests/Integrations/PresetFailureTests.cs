namespace Atomic.Credentials.Tests.Integrations;

/// <summary>A preset's failures speak of the preset: its own Type, not the OAuth kind it rides on.</summary>
public sealed class PresetFailureTests
{
    public static IEnumerable<TestCaseData> Presets()
    {
        yield return new TestCaseData(MarketoTests.Credential, "v1/leads.json", "Marketo", "064-ccj-768.mktorest.com").SetArgDisplayNames("Marketo");
        yield return new TestCaseData(SalesforceMarketingCloudTests.Credential, "platform/v1/endpoints", "SalesforceMarketingCloud", "mc563885gzs27c5t9.auth.marketingcloudapis.com")
            .SetArgDisplayNames("SalesforceMarketingCloud");
    }

    [TestCaseSource(nameof(Presets))]
    public async Task A_token_failure_names_the_preset_in_the_error_and_the_log(
        Dictionary<string, string?> credential, string requestUri, string type, string tokenHost)
    {
        var failure = await PresetHost.RefusedTokenAsync(credential, requestUri);

        Assert.Multiple(() =>
        {
            Assert.That(failure.Error.Kind, Is.EqualTo(type));
            Assert.That(failure.Error.Error, Is.EqualTo("invalid_client"));
            Assert.That(failure.LogLine, Does.StartWith($"Credential 'preset' ({type}) token request to {tokenHost} failed"));
            Assert.That(failure.LoggedKind, Is.EqualTo(type));
            Assert.That(failure.Printed, Has.Some.EqualTo("atomic.credential.kind=" + type));
            Assert.That(failure.Printed, Has.None.Contains("(OAuthClientCredentials)").And.None.EndsWith("kind=OAuthClientCredentials").And.None.EqualTo("Kind=OAuthClientCredentials"));
        });
    }
}
