from textstats import top_words


def test_counts_words_case_insensitively():
    assert top_words("The cat and the hat. THE end", 2) == [("the", 3), ("and", 1)]


def test_ties_are_broken_alphabetically():
    assert top_words("b a c b a c", 3) == [("a", 2), ("b", 2), ("c", 2)]


def test_n_larger_than_vocabulary():
    assert top_words("one two two", 10) == [("two", 2), ("one", 1)]
