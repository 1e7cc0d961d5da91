"""Fuzzing the Vietnamese text tools: any text a resident can send goes through them before anything else."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.text.normalize import fold_diacritics, folded_tokens, has_diacritics, normalize_text, split_sentences, tokenize

# Every code point, lone surrogates included (JSON's "\ud800" escape gets one into a question).
any_text = st.text(st.characters(exclude_categories=()))
# Vietnamese letters, precomposed and decomposed, with the tone marks and spacing the normaliser cares about.
VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊOÔƠUƯY"
              "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
              "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b 0123456789.,;!?…\"“(\t\n")
vietnamese_text = st.text(st.sampled_from(VIETNAMESE), max_size=80)
texts = st.one_of(any_text, vietnamese_text)


def _marks(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) == "Mn"]


@settings(max_examples=500)
@given(texts)
@example("hoà thuỷ khoẻ quý")
@example("\ud800 đăng ký")
def test_text_tools_never_raise(text: str):
    normalize_text(text)
    fold_diacritics(text)
    has_diacritics(text)
    tokenize(text)
    folded_tokens(text)
    split_sentences(text)


@settings(max_examples=500)
@given(texts)
@example("Thuỷ lợi hoà bình")
@example("hoạ\u0300")
def test_normalising_twice_changes_nothing(text: str):
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=500)
@given(texts)
@example("ĐĂNG KÝ Định danh")
@example("d\u0303\u0111")
def test_folded_text_has_no_combining_marks_and_no_d_stroke(text: str):
    folded = fold_diacritics(text)
    assert not _marks(folded)
    assert "đ" not in folded and "Đ" not in folded


@settings(max_examples=500)
@given(vietnamese_text)
@example("hoà hòa")
def test_folding_forgets_tone_placement(text: str):
    # "hoà" and "hòa" must fold alike, whatever normalisation did to them first
    assert fold_diacritics(normalize_text(text)).split() == fold_diacritics(text).split()


@settings(max_examples=500)
@given(texts)
def test_tokens_are_lower_case_words(text: str):
    tokens = tokenize(text)
    assert all(t and t == t.lower() and not any(ch.isspace() for ch in t) for t in tokens)
    assert all(t and not _marks(t) and "đ" not in t for t in folded_tokens(text))


@settings(max_examples=500)
@given(texts)
@example("9,51% là tỉ lệ. Năm 2020 chỉ là 1,78%! Còn “Đề án 06”?")
def test_sentence_splitting_loses_no_text(text: str):
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())
