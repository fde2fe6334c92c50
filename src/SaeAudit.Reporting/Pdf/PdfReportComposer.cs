using PdfSharp.Drawing;
using PdfSharp.Pdf;
using SaeAudit.Reporting.Model;
using static SaeAudit.Reporting.Pdf.PdfTheme;

namespace SaeAudit.Reporting.Pdf;

/// <summary>Lays out a <see cref="ReportModel"/>: a title page (verdict, pairs, run, contents), the verdict and gate
/// table, one part per pair with the same sections, tables and charts as the Markdown report, and the provenance
/// appendix. Parts are numbered so a reviewer can point at "2.3".</summary>
internal sealed class PdfReportComposer
{
    private const string AppendixNumber = "A";
    private const string NoteLead = "Note.";
    private const double IntroSpaceAfter = 8;
    private const string ParametersCaption = "Parameters";

    private readonly ReportModel _model;
    private readonly PageFlow _flow;
    private readonly List<ContentsEntry> _contents;

    private PdfReportComposer(ReportModel model, PageFlow flow)
    {
        _model = model;
        _flow = flow;
        _contents = BuildContents(model);
    }

    public static void Compose(PdfDocument document, ReportModel model)
    {
        var tool = model.Results.Tool;
        var footer = $"{tool.Name} {tool.Version} · run started {model.Results.Provenance.Run.StartedUtc}";
        using var flow = new PageFlow(document, model.Title, footer);
        var composer = new PdfReportComposer(model, flow);
        composer.TitlePage();
        composer.VerdictPart();
        for (var i = 0; i < model.Pairs.Count; i++) composer.PairPart(model.Pairs[i], i + 2);
        composer.ProvenancePart();
        flow.Finish();
    }

    private void TitlePage()
    {
        _flow.NewPage(decorated: false);
        var g = _flow.Graphics;
        _flow.Advance(36);
        g.DrawString("SPARSE AUTOENCODER TRANSFER AUDIT", SmallBold, new XSolidBrush(Accent), _flow.Left,
            TextBlocks.Baseline(_flow.Y, SmallSize, SmallLeading));
        _flow.Advance(SmallLeading + 6);
        TextBlocks.Paragraph(_flow, _model.Title, SansBold(28), leading: 34, spaceAfter: 4);
        TextBlocks.Paragraph(_flow, _model.Subtitle, Sans(10.5), PdfTheme.Muted, leading: 15, spaceAfter: 24);

        VerdictPanel();

        TitleLabel("Pairs");
        TableBlock.Draw(_flow, PairsTable());

        TitleLabel("Run");
        var run = _model.Results.Provenance;
        KeyValues(
        [
            ("run started (UTC)", run.Run.StartedUtc, false),
            ("tool", $"{_model.Results.Tool.Name} {_model.Results.Tool.Version}", false),
            ("environment", $"{run.Environment.Runtime} · {run.Environment.Os} · {run.Environment.Cpu} ({run.Environment.Architecture})", false),
            ("manifest", run.Manifest.Path, true),
            ("manifest canonical hash", run.Manifest.CanonicalHash, true),
        ]);
        _flow.Space(12);

        TitleLabel("Contents");
        foreach (var entry in _contents) ContentsLine(entry);
    }

    /// <summary>The overall verdict in large type on a tint of its colour, with the one-sentence summary.</summary>
    private void VerdictPanel()
    {
        var verdict = _model.Verdict;
        const double pad = 14, bar = 5;
        var g = _flow.Graphics;
        var summaryFont = Sans(10.5);
        var textWidth = _flow.Width - bar - 2 * pad;
        var summary = TextWrap.Lines(g, verdict.Summary, summaryFont, textWidth);
        var gates = verdict.GateCount == 0
            ? $"{ReportModelBuilder.Plural(verdict.PairCount, "pair")}, no gates"
            : $"{verdict.GatesPassed} of {ReportModelBuilder.Plural(verdict.GateCount, "gate")} pass · "
                + $"{verdict.PairsPassed} of {ReportModelBuilder.Plural(verdict.PairCount, "pair")} pass";
        const double statusSize = 40, statusLeading = 46, summaryLeading = 15;
        var height = pad + SmallLeading + statusLeading + summary.Count * summaryLeading + 4 + SmallLeading + pad;
        _flow.EnsureSpace(height);
        var top = _flow.Y;
        var x = _flow.Left + bar + pad;
        g.DrawRectangle(new XSolidBrush(VerdictTint(verdict.Passed)), _flow.Left, top, _flow.Width, height);
        g.DrawRectangle(new XSolidBrush(Verdict(verdict.Passed)), _flow.Left, top, bar, height);
        var y = top + pad;
        var muted = new XSolidBrush(PdfTheme.Muted);
        g.DrawString("OVERALL VERDICT", SmallBold, muted, x, TextBlocks.Baseline(y, SmallSize, SmallLeading));
        y += SmallLeading;
        g.DrawString(verdict.Status, SansBold(statusSize), new XSolidBrush(Verdict(verdict.Passed)), x,
            TextBlocks.Baseline(y, statusSize, statusLeading));
        y += statusLeading;
        foreach (var line in summary)
        {
            g.DrawString(line, summaryFont, new XSolidBrush(PdfTheme.Text), x, TextBlocks.Baseline(y, 10.5, summaryLeading));
            y += summaryLeading;
        }
        y += 4;
        g.DrawString(gates, Small, muted, x, TextBlocks.Baseline(y, SmallSize, SmallLeading));
        _flow.Advance(height + 22);
    }

    private ReportTable PairsTable() => new(
        [
            ReportColumn.Text("pair"), ReportColumn.Text("base → finetune"), ReportColumn.Code("hook"),
            ReportColumn.Number("gates passed"), ReportColumn.Text("verdict"),
        ],
        _model.Pairs.Select(p => (IReadOnlyList<string>)
        [
            p.Name, $"{p.BaseLabel} → {p.FinetuneLabel}", p.Hook,
            p.Gates.Count == 0 ? "no gates" : $"{p.Gates.Count(gate => gate.Passed)} of {p.Gates.Count}", p.Status,
        ]).ToList());

    /// <summary>A small bold label introducing a block of the title page.</summary>
    private void TitleLabel(string text)
    {
        _flow.EnsureSpace(BodyLeading + 40);
        _flow.Graphics.DrawString(text, SansBold(10.5), new XSolidBrush(PdfTheme.Text), _flow.Left,
            TextBlocks.Baseline(_flow.Y, 10.5, 15));
        _flow.Advance(19);
    }

    /// <summary>Label–value lines with the labels in a muted column; values wrap within their column.</summary>
    private void KeyValues(IReadOnlyList<(string Key, string Value, bool Mono)> rows)
    {
        const double keyWidth = 128;
        var g = _flow.Graphics;
        foreach (var (key, value, mono) in rows)
        {
            var font = mono ? Code : Body;
            var lines = TextWrap.Lines(g, value, font, _flow.Width - keyWidth);
            _flow.EnsureSpace(lines.Count * BodyLeading);
            g = _flow.Graphics;
            g.DrawString(key, Body, new XSolidBrush(PdfTheme.Muted), _flow.Left, TextBlocks.Baseline(_flow.Y, BodySize, BodyLeading));
            foreach (var line in lines)
            {
                g.DrawString(line, font, new XSolidBrush(PdfTheme.Text), _flow.Left + keyWidth,
                    TextBlocks.Baseline(_flow.Y, BodySize, BodyLeading));
                _flow.Advance(BodyLeading);
            }
            _flow.Advance(1.5);
        }
    }

    /// <summary>A contents line: its title now (wrapped if long), the dotted leader and page number once layout has
    /// placed the entry; the whole entry links to that page.</summary>
    private void ContentsLine(ContentsEntry entry)
    {
        const double leading = 15, numberColumn = 30;
        var font = entry.Level == 1 ? BodyBold : Body;
        var indent = entry.Level == 1 ? 0 : 22;
        var titleX = _flow.Left + indent + (entry.Level == 1 ? 22 : 28);
        var (left, right) = (_flow.Left, _flow.Right);
        var lines = TextWrap.Lines(_flow.Graphics, entry.Title, font, right - numberColumn - titleX);
        _flow.EnsureSpace(lines.Count * leading);
        var (g, page, top) = (_flow.Graphics, _flow.Page, _flow.Y);
        var brush = new XSolidBrush(PdfTheme.Text);
        g.DrawString(entry.Number, font, brush, _flow.Left + indent, TextBlocks.Baseline(top, BodySize, leading));
        foreach (var line in lines)
        {
            g.DrawString(line, font, brush, titleX, TextBlocks.Baseline(_flow.Y, BodySize, leading));
            _flow.Advance(leading);
        }
        var baseline = TextBlocks.Baseline(_flow.Y - leading, BodySize, leading);
        var titleEnd = titleX + TextWrap.Width(g, lines[^1], font);
        var height = _flow.Y - top;
        _flow.AfterLayout(() =>
        {
            var number = entry.Page.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var numberWidth = TextWrap.Width(g, number, font);
            PageFlow.DrawRight(g, number, font, brush, right, baseline);
            var leader = new XPen(PdfTheme.Rule, 0.8) { DashPattern = [0.1, 3], LineCap = XLineCap.Round };
            g.DrawLine(leader, titleEnd + 6, baseline - 1, right - numberWidth - 6, baseline - 1);
            var area = g.Transformer.WorldToDefaultPage(new XRect(left, top, right - left, height));
            page.AddDocumentLink(new PdfRectangle(area), entry.Page);
        });
    }

    private void VerdictPart()
    {
        _flow.RunningHead = _contents[0].Title;
        StartPart(_contents[0], _contents[0].Title);
        var verdict = _model.Verdict;
        var top = _flow.Y;
        const double summarySize = 10.5, summaryLeading = 15;
        var (badgeFont, summaryFont) = (SansBold(11), Sans(summarySize));
        var badgeWidth = TextBlocks.Badge(_flow.Graphics, verdict.Status, verdict.Passed, _flow.Left, top, badgeFont);
        var indent = badgeWidth + 10;
        var lines = TextWrap.Lines(_flow.Graphics, verdict.Summary, summaryFont, _flow.Width - indent);
        var y = top + (TextBlocks.BadgeHeight(badgeFont) - summaryLeading) / 2;
        foreach (var line in lines)
        {
            _flow.Graphics.DrawString(line, summaryFont, new XSolidBrush(PdfTheme.Text), _flow.Left + indent,
                TextBlocks.Baseline(y, summarySize, summaryLeading));
            y += summaryLeading;
        }
        _flow.Advance(Math.Max(TextBlocks.BadgeHeight(badgeFont), y - top) + 14);

        if (_model.Gates.Count > 0)
            TableBlock.Draw(_flow, _model.GateTable, "Gates");
        else
            TextBlocks.Paragraph(_flow, "No gates are configured; add gates to the manifest to turn these numbers into a "
                + "pass/fail check.");

        TextBlocks.Heading(_flow, null, "Pairs at a glance", 3);
        foreach (var pair in _model.Pairs) BadgeParagraph(pair.Status, pair.Passed, pair.Name, pair.Verdict);
    }

    /// <summary>A paragraph hung off a PASS/FAIL badge, with a bold lead-in.</summary>
    private void BadgeParagraph(string status, bool passed, string lead, string text)
    {
        const double indent = 40;
        _flow.EnsureSpace(3 * BodyLeading);
        TextBlocks.Badge(_flow.Graphics, status, passed, _flow.Left, _flow.Y + 1.5, SmallBold);
        TextBlocks.Paragraph(_flow, text, indent: indent, lead: lead, spaceAfter: 8);
    }

    private void PairPart(PairReport pair, int number)
    {
        var entry = _contents.First(e => e.Number == $"{number}");
        _flow.RunningHead = $"Pair {pair.Name}: {pair.BaseLabel} → {pair.FinetuneLabel}";
        StartPart(entry, entry.Title, pair);
        TextBlocks.Callout(_flow, pair.Verdict, VerdictTint(pair.Passed), Verdict(pair.Passed), "Verdict.", spaceAfter: 4);

        for (var i = 0; i < pair.Sections.Count; i++)
        {
            var section = pair.Sections[i];
            var sectionEntry = _contents.First(e => e.Number == $"{number}.{i + 1}");
            Section(section, sectionEntry);
        }
    }

    private void Section(ReportSection section, ContentsEntry entry)
    {
        // The heading, its intro and the section's first table, note or figure start on the same page.
        var intro = TextBlocks.ParagraphHeight(_flow, section.Intro, spaceAfter: IntroSpaceAfter);
        TextBlocks.Heading(_flow, entry.Number, section.Title, 2, keepWithNext: intro + FirstBlockHeight(section));
        entry.Page = _flow.PageNumber;
        TextBlocks.Paragraph(_flow, section.Intro, spaceAfter: IntroSpaceAfter);
        foreach (var table in section.Tables) TableBlock.Draw(_flow, table, table.Caption);
        foreach (var note in section.Notes)
            TextBlocks.Callout(_flow, note, NoteTint, NoteBar, NoteLead);
        foreach (var chart in section.Charts) FigureBlock.Draw(_flow, chart);
    }

    private double FirstBlockHeight(ReportSection section)
    {
        if (section.Tables.Count > 0) return TableBlock.KeepHeight(_flow, section.Tables[0], section.Tables[0].Caption);
        if (section.Notes.Count > 0) return TextBlocks.CalloutHeight(_flow, section.Notes[0], NoteLead);
        return section.Charts.Count > 0 ? FigureBlock.Height(_flow, section.Charts[0]) : 0;
    }

    private void ProvenancePart()
    {
        var provenance = _model.Provenance;
        _flow.RunningHead = "Provenance";
        StartPart(_contents[^1], "Provenance");
        TextBlocks.Paragraph(_flow, "Everything the numbers depend on: the tool and machine that computed them, the "
            + "manifest, every resolved parameter of each pair, and the SHA-256 of every file read. The same inputs and "
            + "tool version reproduce the results file byte for byte, apart from the run timing below.", spaceAfter: 4);

        TextBlocks.Heading(_flow, $"{AppendixNumber}.1", "Run and environment", 2,
            keepWithNext: TableBlock.KeepHeight(_flow, provenance.Run, null));
        TableBlock.Draw(_flow, provenance.Run);
        for (var i = 0; i < provenance.Pairs.Count; i++)
        {
            var pair = provenance.Pairs[i];
            TextBlocks.Heading(_flow, $"{AppendixNumber}.{i + 2}", $"Pair {pair.Name}", 2,
                keepWithNext: TableBlock.KeepHeight(_flow, pair.Parameters, ParametersCaption));
            TableBlock.Draw(_flow, pair.Parameters, ParametersCaption);
            TableBlock.Draw(_flow, pair.Inputs, "Input files (SHA-256)");
        }
    }

    /// <summary>A part starts on a fresh page with a numbered level-1 heading; a pair's carries its verdict badge
    /// at the right.</summary>
    private void StartPart(ContentsEntry entry, string title, PairReport? pair = null)
    {
        _flow.NewPage();
        var top = _flow.Y;
        var font = SansBold(10);
        var badgeWidth = pair is null ? 0 : TextWrap.Width(_flow.Graphics, pair.Status, font) + 2 * font.Size * 0.6;
        TextBlocks.Heading(_flow, entry.Number, title, 1, reserveRight: badgeWidth + 12);
        entry.Page = _flow.PageNumber;
        if (pair is not null)
            TextBlocks.Badge(_flow.Graphics, pair.Status, pair.Passed, _flow.Right - badgeWidth, top + 2, font);
    }

    private static List<ContentsEntry> BuildContents(ReportModel model)
    {
        var entries = new List<ContentsEntry> { new("1", "Verdict and gates", 1) };
        for (var i = 0; i < model.Pairs.Count; i++)
        {
            var pair = model.Pairs[i];
            var number = i + 2;
            entries.Add(new ContentsEntry($"{number}", $"Pair {pair.Name}: {pair.BaseLabel} → {pair.FinetuneLabel}", 1));
            entries.AddRange(pair.Sections.Select((s, j) => new ContentsEntry($"{number}.{j + 1}", s.Title, 2)));
        }
        entries.Add(new ContentsEntry(AppendixNumber, "Provenance", 1));
        return entries;
    }

    /// <summary>A line of the contents; <see cref="Page"/> is filled in when layout reaches the entry.</summary>
    private sealed class ContentsEntry(string number, string title, int level)
    {
        public string Number { get; } = number;

        public string Title { get; } = title;

        public int Level { get; } = level;

        public int Page { get; set; }
    }
}
