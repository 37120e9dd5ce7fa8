"""The collector paused for a bulk load is always on again afterwards."""

import gc
import threading

import pytest

from app.gcpause import gc_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_on_again_after():
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error():
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("the load failed")
    assert gc.isenabled()


def test_nested_blocks_keep_it_paused_until_the_outer_ends():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_left_off_when_it_was_off_before():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_blocks_in_threads_leave_it_on():
    inside, release = threading.Barrier(8), threading.Event()

    def load():
        with gc_paused():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()
