from pathlib import Path

import pytest

from app.__main__ import main
from app.knowledge.loader import KnowledgeError, load_knowledge
from app.settings import ROOT
from tests.conftest import write_small_kb


def test_small_kb_loads(tmp_path: Path):
    kb = load_knowledge(write_small_kb(tmp_path))
    assert set(kb.faqs) == {"da06-la-gi", "dvc-dia-chi", "vneid-muc-2", "vneid-muc-1", "vneid-tong-dai"}
    assert kb.articles["bai-chuyen-doi-so"].published.isoformat() == "2022-04-29"


def _problems(kb_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_dir)
    return [str(p) for p in info.value.problems]


def test_unknown_source_is_reported_with_file_and_line(tmp_path: Path):
    kb = write_small_kb(tmp_path)
    faq = kb / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("sources: [cong-dvcqg]", "sources: [khong-co]"),
                   encoding="utf-8")
    problems = _problems(kb)
    assert any("faq.yaml:" in p and "unknown source 'khong-co'" in p for p in problems)


def test_duplicate_id_and_duplicate_question_are_reported(tmp_path: Path):
    kb = write_small_kb(tmp_path)
    (kb / "faq" / "more.yaml").write_text(
        '- id: da06-la-gi\n  question: "De an 06 la gi?"\n  phrasings: [a1 b1, a2 b2, a3 b3]\n'
        '  answer: "x"\n  sources: [qd-06-2022]\n  topics: [de-an-06]\n  as_of: 2026-11-22\n',
        encoding="utf-8")
    problems = _problems(kb)
    assert any("more.yaml:1:" in p and "duplicate FAQ id 'da06-la-gi'" in p for p in problems)
    assert any("duplicate question" in p for p in problems)


def test_empty_answer_and_too_few_phrasings_are_reported(tmp_path: Path):
    kb = write_small_kb(tmp_path)
    (kb / "faq" / "bad.yaml").write_text(
        '- id: rong\n  question: "Câu hỏi mới?"\n  phrasings: [chi mot]\n'
        '  answer: "  "\n  sources: [qd-06-2022]\n  topics: [de-an-06]\n  as_of: 2026-11-22\n',
        encoding="utf-8")
    problems = _problems(kb)
    assert any("bad.yaml:1:" in p and "answer" in p and "phrasings" in p for p in problems)


def test_broken_yaml_reports_its_line(tmp_path: Path):
    kb = write_small_kb(tmp_path)
    (kb / "faq" / "broken.yaml").write_text("- id: x\n  question: [unclosed\n", encoding="utf-8")
    assert any(p.startswith("knowledge/faq/broken.yaml:") and "invalid YAML" in p for p in _problems(kb))


def test_check_kb_command_passes_on_the_real_knowledge_base(capsys, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(ROOT / "knowledge"))
    assert main(["check-kb"]) == 0
    assert "knowledge OK" in capsys.readouterr().out


def test_check_kb_command_fails_with_problems(tmp_path: Path, capsys, monkeypatch):
    kb = write_small_kb(tmp_path)
    (kb / "sources.yaml").write_text("- id: Bad Id\n  title: x\n  kind: decree\n  summary: y\n", encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kb))
    assert main(["check-kb"]) == 1
    err = capsys.readouterr().err
    assert "sources.yaml:1:" in err and "problem(s) found" in err


def test_real_knowledge_base_meets_its_coverage_bar():
    kb = load_knowledge(ROOT / "knowledge")
    assert len(kb.faqs) >= 80
    assert sum(1 for e in kb.faqs.values() if e.en) >= 20
    topics = {t for e in kb.faqs.values() for t in e.topics}
    assert {"chuyen-doi-so", "cong-dvc", "de-an-06", "vneid", "tro-ly"} <= topics
    for article in kb.articles.values():
        assert article.url is None or article.url.startswith("http")
