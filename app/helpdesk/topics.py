"""What a resident is helped with: a knowledge-base topic, or the topic of the entry the team member used."""

from __future__ import annotations

from app.knowledge.models import TOPICS, Knowledge

OTHER = "khac"
# Vietnamese names of the knowledge base's topics, as the desk's form and reports show them
TOPIC_LABELS: dict[str, str] = {
    "vneid": "VNeID, định danh điện tử",
    "can-cuoc": "Căn cước, CCCD",
    "cong-dvc": "Cổng Dịch vụ công",
    "thu-tuc": "Thủ tục trực tuyến",
    "de-an-06": "Đề án 06",
    "chinh-quyen": "Chính quyền hai cấp",
    "chuyen-doi-so": "Chuyển đổi số",
    "du-lieu-ca-nhan": "Dữ liệu cá nhân",
    "an-toan": "An toàn, chống lừa đảo",
    "tro-ly": "Trợ lý hỏi đáp",
    OTHER: "Việc khác",
}
OUTCOMES: dict[str, str] = {
    "resolved": "Đã giải quyết",
    "referred": "Đã hướng dẫn đến nơi khác",
    "not_resolved": "Chưa giải quyết được",
}


class UnknownTopic(ValueError):
    """A topic outside the list, or none given nor found."""


class UnknownEntry(ValueError):
    """An entry id the knowledge base served does not have."""


def known_topics() -> list[str]:
    """The topics a desk may record, in the order the form lists them; "other" last."""
    return [t for t in TOPIC_LABELS if t in TOPICS] + sorted(TOPICS - set(TOPIC_LABELS)) + [OTHER]


def topic_label(topic: str) -> str:
    """The topic's Vietnamese name (the id itself for a topic no longer known)."""
    return TOPIC_LABELS.get(topic, topic)


def entry_topic(knowledge: Knowledge, entry_id: str) -> str | None:
    """The first topic of a FAQ entry or article (`article-id#passage` as search hits name passages);
    None when the knowledge has no such entry."""
    faq = knowledge.faqs.get(entry_id)
    if faq is not None:
        return faq.topics[0] if faq.topics else OTHER
    article = knowledge.articles.get(entry_id.split("#", 1)[0])
    if article is not None:
        return article.topics[0] if article.topics else OTHER
    return None


def check_entry(knowledge: Knowledge | None, entry_id: str) -> str | None:
    """The entry's topic; UnknownEntry when the served knowledge lacks it (None: no knowledge loaded yet)."""
    if knowledge is None:
        return None
    found = entry_topic(knowledge, entry_id)
    if found is None:
        raise UnknownEntry(f"Không có mục '{entry_id}' trong cơ sở tri thức. / No entry '{entry_id}'.")
    return found


def resolve_topic(topic: str | None, entry_id: str | None, knowledge: Knowledge | None) -> tuple[str, str | None]:
    """The topic recorded and the entry id kept: a topic given wins; otherwise the entry's own topic.

    Raises UnknownTopic for a topic outside the list (or none) and UnknownEntry for an entry the served
    knowledge does not have.
    """
    entry = entry_id.strip() if entry_id and entry_id.strip() else None
    found = check_entry(knowledge, entry) if entry else None
    chosen = topic or found
    if chosen is None or chosen not in known_topics():
        raise UnknownTopic("Hãy chọn một chủ đề trong danh sách. / Pick one of the listed topics.")
    return chosen, entry
