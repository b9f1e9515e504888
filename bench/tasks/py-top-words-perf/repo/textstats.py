"""Word statistics for plain text."""

import re
from typing import List, Tuple

_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> List[str]:
    return _WORD.findall(text.lower())


def top_words(text: str, n: int) -> List[Tuple[str, int]]:
    """The n most frequent words with their counts; ties alphabetical."""
    all_words = words(text)
    counts = []
    for word in sorted(set(all_words)):
        counts.append((word, all_words.count(word)))
    counts.sort(key=lambda pair: (-pair[1], pair[0]))
    return counts[:n]
