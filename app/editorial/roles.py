"""Who holds an admin token, and what their role lets them do: viewers read, editors draft, publishers publish."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from app.settings import Settings

Role = Literal["viewer", "editor", "publisher"]
RANK: dict[str, int] = {"viewer": 0, "editor": 1, "publisher": 2}
# what a resident-facing refusal says each role may do, Vietnamese first
NEEDS: dict[str, str] = {
    "editor": "Chỉ biên tập viên hoặc người duyệt được soạn bản nháp. / Only editors and publishers can draft.",
    "publisher": "Chỉ người duyệt (publisher) được đăng hoặc gỡ mục hỏi đáp. / Only publishers can publish or "
                 "retire entries.",
}


@dataclass(frozen=True)
class Editor:
    """The holder of one admin token."""

    name: str
    role: Role

    def may(self, role: Role) -> bool:
        """True when this editor's role is at least `role`."""
        return RANK[self.role] >= RANK[role]


def _tokens(settings: Settings) -> list[tuple[str, Editor]]:
    out: list[tuple[str, Editor]] = []
    if settings.admin_token:
        out.append((settings.admin_token, Editor("admin", "publisher")))
    for item in settings.admin_tokens:
        name, role, token = item.split(":", 2)
        out.append((token, Editor(name, role)))  # type: ignore[arg-type]  # checked by the settings validator
    return out


def admin_enabled(settings: Settings) -> bool:
    """True when any admin token is configured (otherwise the admin routes do not exist)."""
    return bool(settings.admin_token or settings.admin_tokens)


def identify(settings: Settings, given: str) -> Editor | None:
    """The editor whose token is `given`, compared in constant time against every configured token."""
    found: Editor | None = None
    for token, editor in _tokens(settings):
        if hmac.compare_digest(given.encode(), token.encode()) and found is None:
            found = editor
    return found
