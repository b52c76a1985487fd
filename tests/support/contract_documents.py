"""The client contract's documents, as the tests read them."""

from pathlib import Path

CONTRACT_DIR = Path(__file__).resolve().parents[2] / "contract"


def contract_document(name: str) -> str:
    """The text of ``contract/<name>``, e.g. ``frontend/MyFamily.graphql``."""
    return (CONTRACT_DIR / name).read_text()
