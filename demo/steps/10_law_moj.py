"""Ingest the synthetic law.moj.gov.tw sample, then a later snapshot (versions)."""


def run(ctx) -> None:
    ctx.curate("init")
    ctx.curate("ingest", "law-moj", str(ctx.sample / "law_moj" / "ChLaw.json"))
    ctx.curate("ingest", "law-moj", str(ctx.sample / "law_moj" / "2025-03" / "ChLaw.json"))
    ctx.notes.append(
        f'curate --db {ctx.db} sql "SELECT doc_key, status, version_of IS NOT NULL AS is_version '
        f"FROM records WHERE doc_key LIKE 'law_moj:Z0000001%' ORDER BY doc_key\""
    )
