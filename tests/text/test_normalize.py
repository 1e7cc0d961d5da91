from app.text.normalize import (
    fold_diacritics,
    folded_tokens,
    has_diacritics,
    normalize_text,
    split_sentences,
    tokenize,
)
from app.text.query import SynonymExpander, looks_english, process_query, write_out_chat


def test_old_and_new_tone_placement_normalise_the_same():
    assert normalize_text("hoà bình") == normalize_text("hòa bình")
    assert normalize_text("Thuỷ lợi") == normalize_text("Thủy lợi")
    assert normalize_text("khoẻ") == normalize_text("khỏe")


def test_qu_is_a_consonant_so_quy_keeps_its_tone():
    assert normalize_text("quý") == "quý"
    assert normalize_text("hoàn thành") == "hoàn thành"


def test_decomposed_unicode_becomes_nfc():
    decomposed = "Đa\u0306ng ky\u0301"
    assert normalize_text(decomposed) == "Đăng ký"


def test_folding_strips_tones_and_d_stroke():
    assert fold_diacritics("Đăng ký tài khoản") == "dang ky tai khoan"
    assert folded_tokens("Định danh điện tử mức 2") == ["dinh", "danh", "dien", "tu", "muc", "2"]


def test_has_diacritics():
    assert has_diacritics("đăng ký")
    assert not has_diacritics("dang ky tai khoan")


def test_tokenize_keeps_numbers_and_splits_document_numbers():
    assert tokenize("Quyết định 06/QĐ-TTg") == ["quyết", "định", "06", "qđ", "ttg"]


def test_split_sentences_keeps_decimal_commas():
    text = "9,51% là tỉ lệ năm 2021. Năm 2020 tỉ lệ này chỉ là 1,78%."
    assert split_sentences(text) == ["9,51% là tỉ lệ năm 2021.", "Năm 2020 tỉ lệ này chỉ là 1,78%."]


def test_synonyms_expand_abbreviations_without_diacritics():
    expander = SynonymExpander({"CCCD": ["căn cước công dân"], "ĐDĐT": ["định danh điện tử"]})
    assert expander.expansions("làm cccd và dddt") == ["căn cước công dân", "định danh điện tử"]
    query = process_query("đăng ký ĐDĐT", expander)
    assert "định danh điện tử" in query.dense_text
    assert query.coverage_terms == ("dang", "ky", "dinh", "danh", "dien", "tu")


def test_english_detection():
    assert looks_english("How do I register a VNeID account?")
    assert not looks_english("dang ky tai khoan vneid")
    assert not looks_english("Đăng ký tài khoản")


def test_chat_shorthand_is_written_out_in_the_question_style():
    assert write_out_chat("quên mk vneid thì làm ntn, đc ko mn") == \
        "quên mk vneid thì làm như thế nào, được không mọi người"
    assert write_out_chat("doi so dien thoai vneid dc k") == "doi so dien thoai vneid duoc khong"
    # not inside other words, numbers or document numbers, and a capital letter is a name or a grade
    assert write_out_chat("phí 50k, 8h sáng, tờ khai CT01-k, bằng hạng B, vitamin E") == \
        "phí 50k, 8h sáng, tờ khai CT01-k, bằng hạng B, vitamin E"


def test_chat_shorthand_does_not_count_as_missing_words_and_english_is_left_alone():
    query = process_query("cổng dvc tỉnh vs cổng qg h nộp chỗ nào", None)
    assert "vs" not in query.coverage_terms and "h" not in query.coverage_terms
    assert query.coverage_terms[:6] == ("cong", "dvc", "tinh", "voi", "cong", "qg")
    assert process_query("What is VNeID, can I use it abroad? k", None).text.endswith("k")


def test_shorthand_is_written_out_in_place_for_the_embedder_and_acronyms_are_expanded_alongside():
    expander = SynonymExpander({"lm": ["làm"], "hs": ["hồ sơ"], "CCCD": ["căn cước công dân", "thẻ căn cước"]})
    query = process_query("lm lại cccd cần hs gì", expander)
    # shorthand no entry uses is replaced; an acronym entries also use stays, with its expansions after it
    assert query.dense_text == "làm lại cccd cần hồ sơ gì (căn cước công dân; thẻ căn cước)"
    assert process_query("How do I lm my CCCD?", expander).dense_text.startswith("How do I lm my CCCD?")
