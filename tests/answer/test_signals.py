"""The answerability signals: what a question asks that a candidate entry does not offer."""

import datetime as dt

from app.answer.signals import actions, entities, folded, offer_of_entry, question_types
from app.knowledge.models import FaqEntry


def entry(question: str, answer: str, referral: bool = False) -> FaqEntry:
    return FaqEntry(id="x", question=question, phrasings=["a", "b", "c"], answer=answer, sources=["s"],
                    topics=["vneid"], as_of=dt.date(2026, 11, 30), referral=referral)


def test_question_types_name_the_kind_of_answer_asked_for():
    assert question_types(folded("Làm thẻ căn cước mất phí bao nhiêu tiền?")) == ["fee"]
    assert question_types(folded("mấy tuổi thì được làm VNeID")) == ["age"]
    assert question_types(folded("Luật có hiệu lực từ khi nào")) == ["when"]
    assert question_types(folded("hotline của cổng dịch vụ công")) == ["phone"]
    assert question_types(folded("VNeID là gì")) == []


def test_entities_are_years_documents_numbers_and_countries():
    found = entities(folded("Singapore năm 2023 theo Nghị định 69/2024/NĐ-CP"))
    assert {"singapore", "2023", "69/2024/nd-cp"} <= found
    # "máy tính" is not a count and "lao động" is not Laos
    assert not entities(folded("đăng nhập trên máy tính, người lao động"))


def test_actions_are_found_without_reading_password_as_loss():
    assert actions(folded("đổi số điện thoại VNeID")) == {"doi"}
    assert "bi mat" not in actions(folded("quên mật khẩu"))
    assert "quen" in actions(folded("quên mật khẩu"))


def test_a_referral_entry_is_marked_as_saying_it_has_no_information():
    unknown = entry("Hotline VNeID là số nào?", "Trợ lý không có thông tin về số tổng đài này.", referral=True)
    known = entry("VNeID là gì?", "VNeID là ứng dụng định danh điện tử của Bộ Công an.")
    assert offer_of_entry(unknown).says_unknown
    assert not offer_of_entry(known).says_unknown
