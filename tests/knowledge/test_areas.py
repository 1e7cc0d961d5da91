"""Areas on disk: the province list, described areas with their offices, area-only entries, and the rules
check-kb applies to them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.knowledge.checks import check_knowledge, phone_is_plausible
from app.knowledge.loader import KnowledgeError, hash_knowledge, load_knowledge
from app.settings import ROOT
from tests.areas_fixture import write_areas
from tests.conftest import write_small_kb

TODAY = dt.date(2026, 11, 30)


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    return write_areas(write_small_kb(tmp_path))


def _problems(kb: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb)
    return [p.message for p in err.value.problems]


def test_areas_load_with_provinces_offices_and_area_entries(kb: Path):
    knowledge = load_knowledge(kb)
    assert set(knowledge.provinces) == {"tinh-a", "tinh-c"}
    assert knowledge.provinces["tinh-a"].merged_from == ["Tỉnh A cũ", "Tỉnh B cũ"]
    assert knowledge.provinces_source and knowledge.provinces_source.document == "Nghị quyết 202/2025/QH15"
    commune = knowledge.area("tinh-a-phuong-mot")
    assert commune and commune.level == "commune" and commune.province == "tinh-a"
    assert [o.kind for o in commune.offices] == ["police", "digital_team"]
    assert commune.offices[0].source.url == "https://phuongmot.example.gov.vn/lien-he"
    # a listed province without a file of its own is known by name, with no offices
    listed = knowledge.area("tinh-c")
    assert listed and listed.name == "Tỉnh C" and listed.offices == []
    assert knowledge.area("tinh-khong-co") is None and knowledge.area(None) is None
    entry = knowledge.faqs["phuong-mot-muc-2"]
    assert entry.area == "tinh-a-phuong-mot" and entry.overrides == ["vneid-muc-2"]
    # the small knowledge base has its own gaps; the areas add none
    assert not [p for p in check_knowledge(knowledge, TODAY).problems if "areas" in p.path]


def test_a_changed_phone_needs_no_rebuild_but_a_changed_area_entry_does(kb: Path):
    before = hash_knowledge(kb)
    commune = kb / "areas" / "tinh-a-phuong-mot.yaml"
    commune.write_text(commune.read_text(encoding="utf-8").replace("0912 345 678", "0912 345 679"), encoding="utf-8")
    assert hash_knowledge(kb) == before
    faq = kb / "areas" / "tinh-a-phuong-mot.faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("giờ hành chính", "giờ làm việc"), encoding="utf-8")
    assert hash_knowledge(kb) != before


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("tinh-a-phuong-mot.yaml", "province: tinh-a", "province: tinh-z", "unknown province 'tinh-z'"),
    ("tinh-a-phuong-mot.yaml", "id: tinh-a-phuong-mot", "id: phuong-khac", "must be in a file named phuong-khac"),
    ("tinh-a-phuong-mot.yaml", "    source: {url: \"https://phuongmot.example.gov.vn/lien-he\", publisher: "
     "\"UBND phường Một\", retrieved: 2026-11-30}\n  - kind: digital_team", "  - kind: digital_team",
     "offices.0.source: Field required"),
    ("tinh-a-phuong-mot.faq.yaml", "  area: tinh-a-phuong-mot\n", "", "needs `area: tinh-a-phuong-mot`"),
    ("tinh-a-phuong-mot.faq.yaml", "overrides: [vneid-muc-2]", "overrides: [khong-co]",
     "overrides 'khong-co', which is not a national entry"),
    ("tinh-a.yaml", "level: province", "level: village", "area: level"),
])
def test_area_mistakes_are_reported_with_their_file(kb: Path, file: str, old: str, new: str, expected: str):
    path = kb / "areas" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert any(expected in message for message in _problems(kb)), _problems(kb)


def test_an_area_entry_outside_its_area_file_is_refused(kb: Path):
    faq = kb / "faq" / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace(
        "  topics: [cong-dvc]\n", "  topics: [cong-dvc]\n  area: tinh-a\n"), encoding="utf-8")
    assert any("belongs in knowledge/areas/tinh-a.faq.yaml" in m for m in _problems(kb))


def test_check_kb_refuses_offices_without_a_usable_contact_or_link(kb: Path):
    commune = kb / "areas" / "tinh-a-phuong-mot.yaml"
    text = commune.read_text(encoding="utf-8")
    text = text.replace('phone: "0241 234 5678"', 'phone: "12345"').replace(
        'web: "https://phuongmot.example.gov.vn/to-cong-nghe-so"', 'web: "phuongmot example"')
    commune.write_text(text.replace("retrieved: 2026-11-30}\n  - kind: digital", "retrieved: 2027-01-01}\n"
                                    "  - kind: digital"), encoding="utf-8")
    messages = [p.message for p in check_knowledge(load_knowledge(kb), TODAY).problems]
    assert any("'12345' does not look like a Vietnamese phone number" in m for m in messages)
    assert any("malformed web 'phuongmot example'" in m for m in messages)
    assert any("source retrieved 2027-01-01 is in the future" in m for m in messages)


@pytest.mark.parametrize(("phone", "plausible"), [
    ("0241 234 5678", True), ("0912.345.678", True), ("1900 1234", True), ("1800 1096", True),
    ("+84 912 345 678", True), ("(024) 3823 4567", True), ("12345", False), ("0912 345", False),
    ("gọi 0912345678", False), ("1900 12345", False),
])
def test_phone_shapes(phone: str, plausible: bool):
    assert phone_is_plausible(phone) is plausible


def test_the_shipped_areas_are_valid_and_list_the_34_provinces():
    knowledge = load_knowledge(ROOT / "knowledge")
    assert len(knowledge.provinces) == 34
    assert knowledge.provinces_source is not None and knowledge.provinces_source.url.startswith("https://")
    report = check_knowledge(knowledge)
    assert not [p for p in report.problems if "areas" in p.path], report.problems
