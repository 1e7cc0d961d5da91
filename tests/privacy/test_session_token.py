import uuid

import pytest

from app.privacy.session_token import SessionTokens
from app.settings import Settings

SECRET = "k" * 64


def test_a_token_names_its_session_and_signs_it():
    tokens = SessionTokens(SECRET)
    token = tokens.new()
    session_id, _, signature = token.partition(".")
    assert len(session_id) == 32 and len(signature) == 22 and len(token) <= 64  # fits the stored column
    assert tokens.verify(token) == session_id
    assert tokens.sign(session_id) == token
    assert SessionTokens(SECRET).verify(token) == session_id  # replicas sharing SESSION_SECRET agree


@pytest.mark.parametrize("forged", [
    None, "", 5, "s1", uuid.uuid4().hex, uuid.uuid4().hex + ".", uuid.uuid4().hex + "." + "A" * 22,
    uuid.uuid4().hex.upper() + "." + "A" * 22, "x" * 10_000, "\ud800" * 55, "đ" * 55,
])
def test_anything_not_signed_here_names_no_session(forged):
    assert SessionTokens(SECRET).verify(forged) is None


def test_a_changed_id_or_signature_and_another_key_are_refused():
    tokens = SessionTokens(SECRET)
    token = tokens.new()
    session_id, _, signature = token.partition(".")
    other_id = uuid.uuid4().hex
    assert tokens.verify(f"{other_id}.{signature}") is None
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert tokens.verify(f"{session_id}.{flipped}") is None
    assert tokens.verify(token + "\n") is None
    assert SessionTokens("z" * 64).verify(token) is None
    # without a configured secret each process draws its own: a token from another process is foreign
    assert SessionTokens().verify(SessionTokens().new()) is None


def test_only_ids_of_the_service_own_shape_are_signed():
    with pytest.raises(ValueError):
        SessionTokens(SECRET).sign("../../etc")


def test_a_short_session_secret_is_refused_at_start_up():
    with pytest.raises(ValueError, match="SESSION_SECRET must be at least"):
        Settings(session_secret="short")
    assert Settings(session_secret=SECRET).session_secret.get_secret_value() == SECRET
    assert SECRET not in repr(Settings(session_secret=SECRET))
