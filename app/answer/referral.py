"""Where to ask in the resident's own area: the offices an area file lists, added to an answer that has none."""

from __future__ import annotations

import dataclasses

from app.answer.composer import Answer
from app.knowledge.models import Area, Knowledge, Office

# the order offices are named in: who helps with the app first, then the desks, then hotlines
KIND_ORDER = ("digital_team", "police", "admin_centre", "one_stop", "hotline")
AREA_INTRO = {"vi": "Tại {name}, bạn có thể liên hệ:", "en": "In {name}, you can contact:"}
FIELDS = {
    "vi": {"address": "địa chỉ", "hours": "giờ làm việc", "phone": "điện thoại", "source": "nguồn"},
    "en": {"address": "address", "hours": "hours", "phone": "phone", "source": "source"},
}


def offices_for(knowledge: Knowledge, area: Area) -> list[Office]:
    """The area's offices, then its province's offices of kinds the area does not list itself."""
    offices = list(area.offices)
    if area.level == "commune" and area.province in knowledge.areas:
        own = {o.kind for o in offices}
        offices += [o for o in knowledge.areas[area.province].offices if o.kind not in own]
    return sorted(offices, key=lambda o: KIND_ORDER.index(o.kind))


def office_line(office: Office, lang: str) -> str:
    """'- Công an phường X: địa chỉ ...; giờ làm việc ...; điện thoại 0243...; https://...' (the widget makes the
    number a tappable link)."""
    words = FIELDS[lang]
    parts = [f"{words[name]} {value}" for name, value in
             (("address", office.address), ("hours", office.hours), ("phone", office.phone)) if value]
    if office.web:
        parts.append(office.web)
    return f"- {office.name}: " + "; ".join(parts) if parts else f"- {office.name}"


def with_area_referral(answer: Answer, knowledge: Knowledge, area: Area) -> tuple[Answer, list[Office]]:
    """An answer without an answer (partial or no_answer) also names the area's offices; an answered one is
    returned as it is."""
    offices = offices_for(knowledge, area)
    if answer.status == "answered" or not offices:
        return answer, []
    lang = answer.language if answer.language in AREA_INTRO else "vi"
    lines = [AREA_INTRO[lang].format(name=area.name)] + [office_line(o, lang) for o in offices]
    return dataclasses.replace(answer, answer=answer.answer + "\n\n" + "\n".join(lines)), offices
