namespace Atomic.Credentials.Tour;

/// <summary>One table of the tour's output, under a title.</summary>
internal sealed class TourTable(string title, params string[] header)
{
    private readonly List<string[]> rows = [];

    public void Add(params string[] cells) => rows.Add(cells);

    public void Print()
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(Line(header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            Console.WriteLine(Line(row));
        }
    }
}

/// <summary>A table of requests: credential, request, what the server saw, verdict.</summary>
internal sealed class RequestTable(string title)
{
    public const string Accepted = "accepted";
    public const string RefusedNotSent = "refused, not sent";
    private readonly TourTable table = new(title, "Credential", "Request", "What the server saw", "Verdict");

    /// <summary>False once a row's verdict was not the one expected.</summary>
    public bool AsExpected { get; private set; } = true;

    public void Add(string credential, string request, string saw, string verdict, bool expected)
    {
        table.Add(credential, request, saw, expected ? verdict : "UNEXPECTED: " + verdict);
        AsExpected &= expected;
    }

    public void Print() => table.Print();
}
