from calendar_tools import merge_intervals


def test_overlapping_sorted():
    assert merge_intervals([(1, 4), (2, 6), (8, 9)]) == [(1, 6), (8, 9)]


def test_empty():
    assert merge_intervals([]) == []


def test_input_is_not_modified():
    given = [(1, 4), (2, 6)]
    merge_intervals(given)
    assert given == [(1, 4), (2, 6)]
