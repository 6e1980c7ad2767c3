"""Show what the catalogue holds now."""


def run(ctx) -> None:
    ctx.curate("status")
