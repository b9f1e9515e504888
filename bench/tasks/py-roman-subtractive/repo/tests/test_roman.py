import pytest

from roman import from_roman, to_roman


def test_additive_numbers():
    assert to_roman(1) == "I"
    assert to_roman(8) == "VIII"
    assert to_roman(2023) == "MMXXIII"


def test_out_of_range():
    for bad in (0, 4000, -1):
        with pytest.raises(ValueError):
            to_roman(bad)
