"""A resident's area over HTTP: its own entries replace the national ones for it alone, and a reply without an
answer names the area's offices (with the page each contact was read from)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.index.embedder import load_embedder
from app.index.store import build_index
from app.knowledge.loader import load_knowledge
from app.main import create_app
from app.settings import Settings
from tests.areas_fixture import write_areas
from tests.conftest import write_small_kb

COMMUNE = "tinh-a-phuong-mot"
LEVEL_2 = "Đăng ký định danh điện tử mức 2 ở đâu?"
UNCOVERED = "Thủ tục xin giấy phép xây dựng nhà ở riêng lẻ cần những gì?"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("areas")
    kb = write_areas(write_small_kb(root))
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var")
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir)
    with TestClient(create_app(settings)) as c:
        yield c


def _ask(client: TestClient, question: str, area: str | None = None) -> dict:
    body: dict[str, str] = {"question": question}
    if area is not None:
        body["area"] = area
    r = client.post("/api/chat", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _entry(reply: dict) -> str | None:
    """Which of the two level-2 entries gave the answer, by its text."""
    for entry, text in (("phuong-mot-muc-2", "Ở phường Một, bạn đăng ký mức 2"),
                        ("vneid-muc-2", "Bạn đăng ký mức 2 trực tiếp tại công an xã, phường.")):
        if reply["answer"].startswith(text):
            return entry
    return None


def test_an_area_entry_answers_its_own_residents_in_place_of_the_national_one(client: TestClient):
    local = _ask(client, LEVEL_2, COMMUNE)
    assert local["status"] == "answered" and _entry(local) == "phuong-mot-muc-2"
    assert local["area"]["id"] == COMMUNE and local["area"]["name"] == "Phường Một"
    # nobody else sees it: no area, another province, an unknown area
    for area in (None, "tinh-c", "khong-co-that"):
        national = _ask(client, LEVEL_2, area)
        assert national["status"] == "answered" and _entry(national) == "vneid-muc-2", area
        assert "phường Một" not in national["answer"]
    assert _ask(client, LEVEL_2, "tinh-c")["area"]["name"] == "Tỉnh C"
    assert _ask(client, LEVEL_2, "khong-co-that")["area"] is None


def test_a_reply_without_an_answer_names_the_areas_offices_with_their_sources(client: TestClient):
    reply = _ask(client, UNCOVERED, COMMUNE)
    assert reply["status"] == "no_answer"
    # the commune's own offices, then its province's hotline (a kind the commune does not list)
    assert [o["kind"] for o in reply["referrals"]] == ["digital_team", "police", "hotline"]
    police = reply["referrals"][1]
    assert police["phone"] == "0241 234 5678" and police["hours"] == "Thứ Hai đến thứ Sáu, 7:30-17:00"
    assert police["source_url"] == "https://phuongmot.example.gov.vn/lien-he" and police["retrieved"] == "2026-11-30"
    assert "Tại Phường Một, bạn có thể liên hệ:" in reply["answer"]
    assert "- Công an phường Một: địa chỉ 1 đường Ví Dụ; giờ làm việc Thứ Hai đến thứ Sáu, 7:30-17:00; " \
           "điện thoại 0241 234 5678" in reply["answer"]
    assert "Đường dây nóng dịch vụ công tỉnh A: điện thoại 1900 1234" in reply["answer"]
    # without an area, or with one that lists no offices, the national referral alone
    for area in (None, "tinh-c"):
        plain = _ask(client, UNCOVERED, area)
        assert plain["status"] == "no_answer" and plain["referrals"] == [] and "Tại " not in plain["answer"]


def test_an_answered_question_names_no_offices(client: TestClient):
    reply = _ask(client, "Đề án 06 là gì?", COMMUNE)
    assert reply["status"] == "answered" and reply["referrals"] == [] and "bạn có thể liên hệ" not in reply["answer"]


def test_english_referrals_are_in_english(client: TestClient):
    reply = _ask(client, "How do I apply for a building permit for my house?", COMMUNE)
    assert reply["status"] == "no_answer"
    assert "In Phường Một, you can contact:" in reply["answer"] and "phone 0241 234 5678" in reply["answer"]


def test_areas_are_listed_for_embedders(client: TestClient):
    r = client.get("/api/areas")
    assert r.status_code == 200
    body = r.json()
    listed = {a["id"]: a for a in body["areas"]}
    assert set(listed) == {"tinh-a", "tinh-c", COMMUNE}
    assert listed[COMMUNE]["offices"] == 2 and listed[COMMUNE]["province"] == "tinh-a"
    assert listed["tinh-c"]["offices"] == 0
    assert body["provinces_source"] == "https://tinh.example.gov.vn/danh-sach"


def test_help_desk_search_sees_what_its_area_sees(client: TestClient):
    def ids(area: str | None) -> list[str]:
        body = {"query": "đăng ký mức 2 ở đâu", "k": 5, **({"area": area} if area else {})}
        r = client.post("/api/search", json=body)
        assert r.status_code == 200
        return [h["id"] for h in r.json()["hits"]]

    assert "phuong-mot-muc-2" in ids(COMMUNE) and "vneid-muc-2" not in ids(COMMUNE)
    assert "vneid-muc-2" in ids(None) and "phuong-mot-muc-2" not in ids(None)


def test_an_overlong_area_is_a_clear_422(client: TestClient):
    r = client.post("/api/chat", json={"question": LEVEL_2, "area": "x" * 101})
    assert r.status_code == 422


def _self_contained(root: Path) -> tuple[Settings, Path]:
    """An index built with its copy of the knowledge (as `python -m app index` builds it)."""
    kb = write_areas(write_small_kb(root))
    settings = Settings(knowledge_dir=kb, index_dir=root / "index", data_dir=root / "var")
    build_index(load_knowledge(kb), load_embedder(settings.embedder), settings.index_dir, kb)
    return settings, kb


def test_an_index_with_its_own_copy_of_the_knowledge_answers_for_areas(tmp_path: Path):
    # a replica that shares only the index volume: areas, offices and area entries come from the copy
    settings, _kb = _self_contained(tmp_path)
    elsewhere = settings.model_copy(update={"knowledge_dir": tmp_path / "not-here"})
    with TestClient(create_app(elsewhere)) as c:
        assert {a["id"] for a in c.get("/api/areas").json()["areas"]} == {"tinh-a", "tinh-c", COMMUNE}
        assert _entry(_ask(c, LEVEL_2, COMMUNE)) == "phuong-mot-muc-2"
        assert _ask(c, UNCOVERED, COMMUNE)["referrals"][1]["phone"] == "0241 234 5678"


def test_a_changed_contact_is_served_after_a_reload_without_a_rebuild(tmp_path: Path):
    settings, kb = _self_contained(tmp_path)
    commune = kb / "areas" / f"{COMMUNE}.yaml"
    with TestClient(create_app(settings)) as c:
        assistant = c.app.state.assistant  # type: ignore[attr-defined]
        commune.write_text(commune.read_text(encoding="utf-8").replace("0241 234 5678", "0241 999 8888"),
                           encoding="utf-8")
        assert assistant.reload()
        assert _ask(c, UNCOVERED, COMMUNE)["referrals"][1]["phone"] == "0241 999 8888"
        # a slip in a contact file: the index's copy of the areas is served, with the entries that need them
        commune.write_text("id: [broken", encoding="utf-8")
        assert assistant.reload()
        assert _ask(c, UNCOVERED, COMMUNE)["referrals"][1]["phone"] == "0241 234 5678"
        assert _entry(_ask(c, LEVEL_2, COMMUNE)) == "phuong-mot-muc-2"
