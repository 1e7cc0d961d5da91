import pytest
from pydantic import ValidationError

from app.settings import Settings
from app.text.segment import load_segmenter


def test_bigrams_cover_two_syllable_words():
    assert load_segmenter("bigram")("Đăng ký tài khoản") == ["đăng_ký", "ký_tài", "tài_khoản"]


def test_pyvi_finds_words():
    words = load_segmenter("pyvi")("Đăng ký tài khoản định danh điện tử")
    assert "đăng_ký" in words and "tài_khoản" in words
    assert "ký_tài" not in words


def test_syllables_only_adds_no_words():
    assert load_segmenter("none")("Đăng ký tài khoản") == []


def test_unknown_segmenter_is_refused():
    with pytest.raises(ValueError, match="unknown segmenter"):
        load_segmenter("vncorenlp")


def test_settings_refuse_bad_values_at_start_up():
    with pytest.raises(ValidationError):
        Settings(trusted_proxies=["not-an-address"])
    with pytest.raises(ValidationError):
        Settings(fusion="average")
    assert Settings(trusted_proxies=["10.0.0.0/8", "127.0.0.1"]).trusted_proxies == ["10.0.0.0/8", "127.0.0.1"]
