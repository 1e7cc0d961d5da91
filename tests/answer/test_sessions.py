from app.answer.sessions import SessionStore, merge_followup


def test_follow_up_replaces_the_detail_it_changes():
    assert merge_followup("Đăng ký định danh điện tử mức 1 thế nào?", "còn mức 2 thì sao?") == \
        "Đăng ký định danh điện tử mức 2 thế nào"
    assert merge_followup("How do I register a level 1 account?", "what about level 2?") == \
        "How do I register a level 2 account"


def test_follow_up_without_an_anchor_is_appended():
    assert merge_followup("Làm thẻ căn cước ở đâu?", "còn phí thì sao?") == "Làm thẻ căn cước ở đâu? phí"


def test_sessions_expire_and_are_bounded():
    store = SessionStore(ttl_seconds=0, max_sessions=2)
    store.remember("a", "q")
    assert store.previous("a") is None
    store = SessionStore(ttl_seconds=60, max_sessions=2)
    for sid in "abc":
        store.remember(sid, sid)
    assert store.previous("a") is None and store.previous("c") == "c"


def test_elliptical_follow_ups_lean_on_the_previous_question():
    from app.answer.sessions import is_elliptical

    assert is_elliptical("còn mức 2 thì sao?", content_words=2)
    assert is_elliptical("what about level 2?", content_words=2)
    assert is_elliptical("ở đâu?", content_words=0)
    assert is_elliptical("cái đó mất phí không", content_words=3)


def test_a_question_that_names_its_own_need_stands_alone():
    from app.answer.sessions import is_elliptical

    assert not is_elliptical("quên mật khẩu VNeID thì làm sao", content_words=3)
    assert not is_elliptical("Đổi số điện thoại tài khoản định danh", content_words=6)
