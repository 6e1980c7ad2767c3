"""Show what the catalogue holds now, write the final curation report, and say how to open the portal."""


def run(ctx) -> None:
    ctx.curate("status")
    report = ctx.out / "report.html"
    ctx.curate("report", "--out", str(report))  # after the corrections and re-exports of steps 55-60
    ctx.notes.append(f"open {report}   # the curation report: one self-contained HTML file, works offline")
    ctx.notes.append("curate serve adduser alice --role auditor   # then:")
    ctx.notes.append("curate serve    # the auditor portal on http://127.0.0.1:8765/")
