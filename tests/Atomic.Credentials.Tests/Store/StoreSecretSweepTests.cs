namespace Atomic.Credentials.Tests.Store;

/// <summary>
/// Every secret field of every kind holds a random marker; nothing the store returns or prints
/// may hold one: infos, listings, their ToString, log lines, exception messages.
/// </summary>
public sealed class StoreSecretSweepTests
{
    [Test]
    public async Task No_secret_of_any_kind_appears_in_what_the_store_returns_or_prints()
    {
        using var harness = new StoreHarness();
        var all = SavedDefinitions.All();
        var texts = harness.Telemetry;

        for (var index = 0; index < all.Count; index++)
        {
            var name = $"tenant{index}/{all[index].Type}";
            var saved = await harness.Store.SaveAsync(name, all[index].Definition);
            var again = await harness.Store.SaveAsync(name, all[index].Definition);
            texts.Add(saved.ToString());
            texts.Add(saved.Fields.GetRawText());
            texts.Add(again.ToString());
            texts.Add((await harness.Store.GetInfoAsync(name))!.ToString());
            texts.Add((await harness.Store.ResolveAsync(name, CancellationToken.None))!.ToString());

            // Refusals of a definition full of secrets: an unknown field, a wrong type, another protector.
            await texts.AddFailureAsync(() => harness.Store.SaveAsync(name, SavedDefinitions.With(all[index].Definition, "Unknown", "x")));
            await texts.AddFailureAsync(() => harness.Store.SaveAsync(name, SavedDefinitions.With(all[index].Definition, "AllowInsecureTransport", "perhaps")));
            await texts.AddFailureAsync(() => harness.Store.SaveAsync(name, SavedDefinitions.With(all[index].Definition, "AllowedHosts", new System.Text.Json.Nodes.JsonArray("bad host"))));
            await texts.AddFailureAsync(async () => await harness.WithOtherKeys().ResolveAsync(name, CancellationToken.None));
        }

        foreach (var info in await harness.Store.ListAsync())
        {
            texts.Add(info.ToString());
            texts.Add(info.Fields.GetRawText());
        }

        var everything = texts.Everything();
        Assert.That(everything, Has.Count.GreaterThan(all.Count * 8), "the sweep saw what it meant to");
        foreach (var marker in all.SelectMany(saved => saved.Markers))
        {
            Assert.That(everything.Where(text => text.Contains(marker, StringComparison.Ordinal)), Is.Empty, $"a secret appeared: {marker[..10]}…");
        }
    }

    [Test]
    public void The_sweep_would_see_a_secret_that_leaked()
    {
        var saved = SavedDefinitions.All()[0];
        using var telemetry = new Support.TelemetryRecorder();

        telemetry.Add(saved.Definition.GetRawText());

        Assert.That(telemetry.Everything().Any(text => saved.Markers.All(marker => text.Contains(marker, StringComparison.Ordinal))), Is.True);
    }
}
