"""A small knowledge base with a province list, one described commune and an area-only entry (contacts here are
test fixtures on example domains, not published offices)."""

from __future__ import annotations

import textwrap
from pathlib import Path

PROVINCES = """
source:
  title: "Danh sách 34 đơn vị hành chính cấp tỉnh"
  publisher: "Cổng thông tin ví dụ"
  url: "https://tinh.example.gov.vn/danh-sach"
  retrieved: 2026-11-30
  document: "Nghị quyết 202/2025/QH15"
provinces:
  - id: tinh-a
    name: "Tỉnh A"
    merged_from: ["Tỉnh A cũ", "Tỉnh B cũ"]
  - id: tinh-c
    name: "Tỉnh C"
"""

PROVINCE_A = """
id: tinh-a
name: "Tỉnh A"
level: province
province: tinh-a
as_of: 2026-11-30
review_by: 2027-05-31
offices:
  - kind: hotline
    name: "Đường dây nóng dịch vụ công tỉnh A"
    phone: "1900 1234"
    source: {url: "https://tinh.example.gov.vn/lien-he", publisher: "UBND tỉnh A", retrieved: 2026-11-30}
"""

COMMUNE = """
id: tinh-a-phuong-mot
name: "Phường Một"
level: commune
province: tinh-a
as_of: 2026-11-30
review_by: 2027-05-31
offices:
  - kind: police
    name: "Công an phường Một"
    address: "1 đường Ví Dụ"
    hours: "Thứ Hai đến thứ Sáu, 7:30-17:00"
    phone: "0241 234 5678"
    source: {url: "https://phuongmot.example.gov.vn/lien-he", publisher: "UBND phường Một", retrieved: 2026-11-30}
  - kind: digital_team
    name: "Tổ công nghệ số cộng đồng phường Một"
    phone: "0912 345 678"
    web: "https://phuongmot.example.gov.vn/to-cong-nghe-so"
    source: {url: "https://phuongmot.example.gov.vn/lien-he", publisher: "UBND phường Một", retrieved: 2026-11-30}
"""

COMMUNE_FAQ = """
- id: phuong-mot-muc-2
  question: "Đăng ký tài khoản định danh điện tử mức 2 ở phường Một ở đâu?"
  phrasings: ["dang ky dinh danh muc 2 phuong mot", "làm VNeID mức 2 ở phường Một", "ĐDĐT mức 2 phường Một"]
  answer: "Ở phường Một, bạn đăng ký mức 2 tại Công an phường Một, 1 đường Ví Dụ, giờ hành chính."
  sources: [qd-06-2022]
  topics: [vneid]
  as_of: 2026-11-30
  review_by: 2027-05-31
  area: tinh-a-phuong-mot
  overrides: [vneid-muc-2]
"""


def write_areas(kb: Path) -> Path:
    """Add the areas above to a knowledge directory written by `write_small_kb`."""
    areas = kb / "areas"
    areas.mkdir()
    for name, text in (("provinces.yaml", PROVINCES), ("tinh-a.yaml", PROVINCE_A),
                       ("tinh-a-phuong-mot.yaml", COMMUNE), ("tinh-a-phuong-mot.faq.yaml", COMMUNE_FAQ)):
        (areas / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return kb
