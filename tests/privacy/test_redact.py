import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.privacy import PRIVACY_REMINDER, redact


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Số CCCD của tôi là 001 203 004 567 đăng ký được không?", "Số CCCD của tôi là [CCCD] đăng ký được không?"),
        ("CCCD 001.203.004.567 bị lỗi", "CCCD [CCCD] bị lỗi"),
        ("mã định danh 001203004567 sai", "mã định danh [CCCD] sai"),
        ("thẻ 0012 0300 4567 hết hạn chưa", "thẻ [CCCD] hết hạn chưa"),
        ("căn cước 123 456 789 012 của bố", "căn cước [CCCD] của bố"),
        ("tôi 123456789012 ạ", "tôi [CCCD] ạ"),
        ("số CMND 123456789 cũ còn dùng được không", "số CMND [CMND] cũ còn dùng được không"),
        ("so chung minh nhan dan cua toi la 123 456 789", "so chung minh nhan dan cua toi la [CMND]"),
        ("chứng minh thư 123.456.789", "chứng minh thư [CMND]"),
        ("123456789 là số cmt cũ", "[CMND] là số cmt cũ"),
        ("gọi cho em 0912 345 678 nhé", "gọi cho em [SĐT] nhé"),
        ("số +84 912.345.678 không nhận được tin", "số [SĐT] không nhận được tin"),
        ("hotline 091-234-5678", "hotline [SĐT]"),
        ("(+84) 912345678 là số của tôi", "[SĐT] là số của tôi"),
        ("84912345678 đăng ký VNeID", "[SĐT] đăng ký VNeID"),
        ("liên hệ 0912.34.56.78", "liên hệ [SĐT]"),
        ("bàn 024 3823 4567 hoặc +84 28 3829 1234", "bàn [SĐT] hoặc [SĐT]"),
        ("gửi 0912345678,0987654321", "gửi [SĐT],[SĐT]"),
        ("email nguyen.van.a+dvc@gmail.com.vn nhé", "email [EMAIL] nhé"),
        ("thẻ 4111 1111 1111 1111 bị trừ tiền", "thẻ [THẺ] bị trừ tiền"),
        ("thẻ 9704-1234-5678-9012-345", "thẻ [THẺ]"),
        ("thẻ 4111111111111111", "thẻ [THẺ]"),
        ("mã OTP là 123456 nhé", "mã OTP là [OTP] nhé"),
        ("ma xac thuc: 8899", "ma xac thuc: [OTP]"),
        ("mã xác nhận 123 456 không hợp lệ", "mã xác nhận [OTP] không hợp lệ"),
        ("code 4821 hết hạn", "code [OTP] hết hạn"),
        ("246810 là mã OTP", "[OTP] là mã OTP"),
        ("số tài khoản 0071000123456 Vietcombank", "số tài khoản [STK] Vietcombank"),
        ("stk: 1903 5678 9012 34", "stk: [STK]"),
        ("tk ngân hàng của tôi 123456", "tk ngân hàng của tôi [STK]"),
    ],
)
def test_personal_data_becomes_a_typed_placeholder(question, expected):
    result = redact(question)
    assert result.text == expected
    assert result.found


def test_kinds_lists_each_kind_once_in_a_fixed_order():
    result = redact("CCCD 001203004567, gọi 0912345678 hoặc 0987654321, email a@b.vn")
    assert result.kinds == ("EMAIL", "CCCD", "SĐT")


def test_a_twelve_digit_run_inside_a_longer_run_is_a_card_not_an_id():
    assert redact("số 1234567890123456").kinds == ("THẺ",)
    # a stray digit after an ID is read with it: the whole run is hidden
    assert digits_of(redact("001203004567 8").text) == ""


def test_context_wins_over_shape():
    assert redact("stk 001203004567").text == "stk [STK]"


def test_adjacent_numbers_are_each_hidden():
    assert redact("001 203 004 567 0912 345 678").text == "[CCCD] [SĐT]"


@pytest.mark.parametrize(
    "question",
    [
        "Quyết định 06/QĐ-TTg ngày 06/01/2022 về Đề án 06 giai đoạn 2022-2025 là gì?",
        "Nghị định 59/2022/NĐ-CP và Luật 26/2023/QH15 có hiệu lực từ 1/7/2024 không?",
        "Thông báo 16/TB-VPCP nói gì về 3.552 thủ tục, tỷ lệ 70,91% và 1.322/1.419 thủ tục?",
        "Tỷ lệ hồ sơ trực tuyến tăng 9,51% so với năm 2023.",
        "Phí cấp lại thẻ căn cước là 500.000 đồng hay 70.000 đồng?",
        "Ngân sách 100.000.000.000 đồng cho 63 tỉnh, 1.012.345.678.901 đồng cả nước",
        "Đăng ký tài khoản định danh điện tử mức 2 ở đâu?",
        "Số tài khoản định danh mức 2 có 12 chữ số không?",
        "Hạn nộp là ngày 09.01.2022 10 giờ sáng",
        "Mã hồ sơ 000.00.12.H26-240101-0001 đã xong chưa?",
        "Mức 1 và mức 2 khác gì nhau, có hơn 80 triệu tài khoản không?",
    ],
)
def test_ordinary_questions_are_left_intact(question):
    result = redact(question)
    assert result.text == question
    assert not result.found


def test_keywords_typed_with_combining_accents_are_recognised():
    decomposed = "so\u0302\u0301 ta\u0300i khoa\u0309n 0071000123456"
    assert redact(decomposed).text == "số tài khoản [STK]"


def test_reminder_speaks_both_languages():
    assert "CCCD" in PRIVACY_REMINDER["vi"] and "OTP" in PRIVACY_REMINDER["vi"]
    assert "citizen ID" in PRIVACY_REMINDER["en"] and "OTP" in PRIVACY_REMINDER["en"]


# --- property tests ---------------------------------------------------------------------------------------

WORDS = [
    "xin", "chào", "cho", "hỏi", "tôi", "muốn", "đăng", "ký", "dịch", "vụ", "công", "trực", "tuyến",
    "được", "không", "ạ", "vậy", "nhé", "làm", "sao", "hồ", "sơ", "VNeID", "cổng", "thông", "tin", "ơi",
]
filler = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)
separators = st.sampled_from([" ", ".", "-"])


def group(digits: str, sizes: list[int], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at:at + size])
        at += size
    return sep.join(parts)


@st.composite
def citizen_ids(draw) -> tuple[str, str]:
    """A written CCCD number and its bare digits."""
    if draw(st.booleans()):
        # an unbroken run of 12 digits, whatever it starts with
        bare = draw(st.text("0123456789", min_size=12, max_size=12))
        return bare, bare
    bare = f"{draw(st.integers(1, 96)):03d}" + draw(st.text("0123456789", min_size=9, max_size=9))
    sizes = draw(st.sampled_from([[12], [3, 3, 3, 3], [4, 4, 4]]))
    return group(bare, sizes, draw(st.sampled_from([" ", "."]))), bare


@st.composite
def phones(draw) -> tuple[str, str]:
    """A written Vietnamese phone number and its bare digits (prefix included)."""
    mobile = draw(st.booleans())
    national = (draw(st.sampled_from("35789")) if mobile else "2") + draw(
        st.text("0123456789", min_size=8 if mobile else 9, max_size=8 if mobile else 9)
    )
    prefix = draw(st.sampled_from(["0", "+84", "+84 ", "84", "(+84) ", "(84)", "+84."]))
    if prefix == "84":
        return "84" + national, "84" + national
    sep = draw(separators)
    if prefix == "0":
        full = "0" + national
        sizes = draw(st.sampled_from(
            [[10], [4, 3, 3], [3, 3, 4], [4, 6], [3, 4, 3], [4, 2, 2, 2], [3, 7]] if mobile
            else [[11], [3, 4, 4], [4, 3, 4], [3, 8]]
        ))
        return group(full, sizes, sep), full
    sizes = draw(st.sampled_from(
        [[9], [3, 3, 3], [2, 3, 4], [3, 6]] if mobile else [[10], [2, 4, 4], [3, 3, 4]]
    ))
    return prefix + group(national, sizes, sep), "84" + national


ID_TEMPLATES = [
    "số CCCD của tôi là {x} đăng ký được không",
    "căn cước {x} bị khóa",
    "{x} là số định danh của con tôi",
    "mình nhập {x} mà báo sai?",
    "CCCD: {x}.",
]
PHONE_TEMPLATES = [
    "gọi cho em {x} nhé",
    "số điện thoại {x} không nhận được tin nhắn",
    "sđt của tôi: {x}, giúp với",
    "{x} là số của mẹ tôi",
    "liên hệ ({x}) giúp tôi!",
]


def assert_hidden(sentence: str, bare: str, kind: str) -> None:
    result = redact(sentence)
    assert bare not in digits_of(result.text), result.text
    assert f"[{kind}]" in result.text
    assert kind in result.kinds


@settings(max_examples=300)
@given(citizen_ids(), st.sampled_from(ID_TEMPLATES), filler, filler)
def test_generated_citizen_ids_never_survive(written, template, before, after):
    text, bare = written
    assert_hidden(f"{before} {template.format(x=text)} {after}".strip(), bare, "CCCD")


@settings(max_examples=300)
@given(phones(), st.sampled_from(PHONE_TEMPLATES), filler, filler)
def test_generated_phones_never_survive(written, template, before, after):
    text, bare = written
    assert_hidden(f"{before} {template.format(x=text)} {after}".strip(), bare, "SĐT")


dates = st.one_of(
    st.builds("{}/{}/{}".format, st.integers(1, 31), st.integers(1, 12), st.integers(1990, 2030)),
    st.builds("{:02d}/{:02d}/{}".format, st.integers(1, 31), st.integers(1, 12), st.integers(1990, 2030)),
    st.builds("{:02d}.{:02d}.{}".format, st.integers(1, 31), st.integers(1, 12), st.integers(1990, 2030)),
    st.builds("{}-{}".format, st.integers(1990, 2030), st.integers(1990, 2030)),
)
decrees = st.one_of(
    st.builds("{}/{}/NĐ-CP".format, st.integers(1, 400), st.integers(1990, 2030)),
    st.builds("{}/QĐ-TTg".format, st.integers(1, 2500)),
    st.builds("{}/{}/QH15".format, st.integers(1, 99), st.integers(2021, 2026)),
    st.builds("{}/TB-VPCP".format, st.integers(1, 999)),
)
statistics = st.one_of(
    st.integers(1000, 10**9).map(lambda n: f"{n:,}".replace(",", ".")),
    st.builds("{},{:02d}%".format, st.integers(0, 100), st.integers(0, 99)),
    st.builds("{}/{}".format, st.integers(1000, 9999).map(lambda n: f"{n:,}".replace(",", ".")),
              st.integers(1000, 9999).map(lambda n: f"{n:,}".replace(",", "."))),
    st.integers(1000, 10**9).map(lambda n: f"{n:,} đồng".replace(",", ".")),
    st.integers(1, 4).map("mức {}".format),
)


@settings(max_examples=300)
@given(dates, decrees, statistics, statistics, filler)
def test_ordinary_questions_with_numbers_are_left_exactly_intact(date, decree, stat, other, words):
    question = f"Theo {decree} ngày {date} {words} có {stat} thủ tục, đạt {other} phải không?"
    result = redact(question)
    assert result.text == question
    assert not result.found


@settings(max_examples=300)
@given(st.text())
def test_redact_never_raises_and_is_idempotent(text):
    once = redact(text).text
    assert redact(once).text == once


TRICKY = [
    "0", "1", "9", "84", "0912345678", "001203004567", "123456", "+", "(", ")", " ", ".", "-", ",", "/",
    "@", "a", "x.vn", "[", "]", "OTP", "mã xác thực", "stk", "số tài khoản", "cmnd", "CCCD", "code", "\n",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(TRICKY), max_size=20).map("".join))
def test_redact_is_idempotent_on_number_soup(text):
    once = redact(text).text
    assert redact(once).text == once


def test_an_id_named_after_the_number_is_an_id_even_in_a_landline_shape():
    # hypothesis found it: 84 + 2 + 9 digits is a landline behind the country code, but the words say ID
    result = redact("842248244757 là số định danh của con tôi")
    assert result.text == "[CCCD] là số định danh của con tôi"
    assert redact("gọi 842248244757 giúp tôi").kinds == ("SĐT",)
