"""Text hygiene on the datatrove local executor."""


def run(ctx) -> None:
    ctx.curate("run", "hygiene")
    ctx.notes.append(f"curate --db {ctx.db} sql \"SELECT action, detail FROM provenance_events WHERE stage='hygiene'\"")
