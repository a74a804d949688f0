namespace Atomic.Credentials.Tour;

/// <summary>The tour's output: kind, request, what the server saw, verdict.</summary>
internal sealed class TourTable(string title)
{
    private readonly List<string[]> rows = [];

    public bool AllAccepted { get; private set; } = true;

    public void Add(string kind, string request, string saw, bool accepted)
    {
        rows.Add([kind, request, saw, accepted ? "accepted" : "REJECTED"]);
        AllAccepted &= accepted;
    }

    public void Print()
    {
        string[] header = ["Kind", "Request", "What the server saw", "Verdict"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine(title);
        Console.WriteLine();
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            Console.WriteLine(Line(row));
        }

        Console.WriteLine();
        Console.WriteLine(AllAccepted ? "Every credential was accepted." : "Some credentials were rejected.");
    }
}
