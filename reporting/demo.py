"""Demo data of the reporting app: last quarter's PHB return for both organisations."""

from .services import returns_build_for_last_quarter


def seed(context) -> None:
    """Build the return for the last ended quarter (so the history of returns is not empty)."""
    built = returns_build_for_last_quarter()
    if built:
        context.lines.append(f"Reporting: built {built} PHB quarterly returns for last quarter.")
