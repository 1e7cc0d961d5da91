"""A small knowledge base that passes check-kb (every entry has a review date; one is due), and its settings."""

from __future__ import annotations

from pathlib import Path

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.settings import Settings
from tests.conftest import write_small_kb

ADMIN = "admin-token-for-editorial-tests"
VIEWER = "viewer-token-0123456789"
EDITOR = "editor-token-0123456789"
PUBLISHER = "publisher-token-0123456789"
TOKENS = [f"lan:viewer:{VIEWER}", f"minh:editor:{EDITOR}", f"hoa:publisher:{PUBLISHER}"]
# residents' questions the small base has no entry for, as the unanswered table would hold them
GROUP = ["Lệ phí cấp thẻ căn cước lần đầu là bao nhiêu?", "le phi cap the can cuoc lan dau la bao nhieu",
         "Lệ phí cấp thẻ căn cước lần đầu là bao nhiêu tiền?", "lệ phí cấp thẻ căn cước lần đầu bao nhiêu"]
ANSWER = "Cấp thẻ căn cước lần đầu cho công dân từ đủ 14 tuổi được miễn lệ phí."


def auth(token: str) -> dict[str, str]:
    """The header an editor's browser sends."""
    return {"Authorization": f"Bearer {token}"}


def write_editorial_kb(root: Path) -> Path:
    """The shared small base, with review dates: `da06-la-gi` is past its date, the others are not."""
    kb = write_small_kb(root)
    faq = kb / "faq" / "faq.yaml"
    text = faq.read_text(encoding="utf-8").replace("  as_of: 2026-11-22\n",
                                                   "  as_of: 2026-11-22\n  review_by: 2027-05-31\n")
    faq.write_text(text.replace("review_by: 2027-05-31", "review_by: 2026-11-23", 1), encoding="utf-8")
    sources = kb / "sources.yaml"
    url = 'url: "https://dichvucong.gov.vn"'
    sources.write_text(sources.read_text(encoding="utf-8").replace(url, f"{url}\n  retrieved: 2026-11-22"),
                       encoding="utf-8")
    return kb


def editorial_settings(root: Path) -> Settings:
    """Settings with the four admin tokens over the small base and its freshly built index."""
    kb = write_editorial_kb(root)
    # no answerability model: the reindex after a publication stays quick (its fit is tested elsewhere)
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var", admin_token=ADMIN,
                        admin_tokens=TOKENS, answerability_questions=None, rate_limit="10000/minute",
                        manifest_poll_seconds=0)
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir)
    return settings
