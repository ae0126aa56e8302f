"""Text for character-level language models: a corpus, its vocabulary, and the stream cut into tracks.

Corpora (nothing is downloaded):
- "python-docs": the Python language reference as the standard library ships it for `help()`
  (`pydoc_data.topics.topics`, e.g. the text of `help("if")`), its topics joined in sorted order with a blank
  line between them. Under Python 3.11.7 that is 79 topics, 465,126 characters, 103 distinct (ASCII plus a
  few typographic ones such as ’ and —); it is fixed for a given Python version, other versions ship
  other editions.
- "pattern": "abcabd" repeated (6,000 characters), a tiny generated text for tests and smoke runs. Its
  characters have a unigram entropy of 1.92 bits, yet each is certain given the three before it (entropy
  rate 0), so a model that learns the pattern drives its cost far below the unigram entropy.
- any UTF-8 text file, given by its path.

    >>> text = load_corpus("pattern")
    >>> vocabulary = Vocabulary(text)
    >>> vocabulary.chars, vocabulary.encode("abd").tolist(), vocabulary.decode([3, 0])
    ('abcd', [0, 1, 3], 'da')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from deltanet.data._common import DataError, as_array, check_int

PATTERN = "abcabd"
CORPORA = ("python-docs", "pattern")


def load_corpus(name: str) -> str:
    """The text of a corpus named in CORPORA, or of the UTF-8 file at the path `name`."""
    if name == "python-docs":
        from pydoc_data.topics import topics

        return "\n\n".join(topics[key] for key in sorted(topics))
    if name == "pattern":
        return PATTERN * 1000
    path = Path(name)
    if not path.is_file():
        raise DataError(f"text corpus {name!r}: not one of {', '.join(CORPORA)} and no file at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"text corpus {path}: not UTF-8 text ({error.reason} at byte {error.start}); "
                        "convert it to UTF-8 first") from None
    if len(set(text)) < 2:
        raise DataError(f"text corpus {path}: needs at least two distinct characters, got {len(text):,} "
                        f"characters ({''.join(sorted(set(text)))!r})")
    return text


class Vocabulary:
    """The sorted distinct characters of a text; character chars[i] has index i."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise TypeError(f"Vocabulary: expected a non-empty str, got {type(text).__name__} {text!r:.40}")
        self.chars = "".join(sorted(set(text)))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters: {self.chars!r:.60})"

    def encode(self, text: str) -> np.ndarray:
        """The int64 indices of the characters of `text`."""
        try:
            return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError:
            unknown = "".join(sorted(set(text) - set(self.chars)))
            raise ValueError(f"Vocabulary.encode: characters {unknown!r:.60} are not in the vocabulary "
                             f"{self.chars!r:.60}") from None

    def decode(self, ids) -> str:
        """The text spelled by the indices `ids` (any integer array or list)."""
        ids = as_array(ids)
        if ids.size and (ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocabulary.decode: expected integer indices in 0..{len(self) - 1}, got dtype "
                             f"{ids.dtype}, values {ids.min()}..{ids.max()}")
        return "".join(self.chars[i] for i in ids.reshape(-1))


def split(ids: np.ndarray, validation: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """(training, validation): the stream's first 1 − `validation` and its last `validation` (contiguous, so
    the validation text is text the model has never seen, not characters scattered through what it has)."""
    if isinstance(validation, bool) or not isinstance(validation, (int, float)) or not 0 < validation < 1:
        raise ValueError(f"split: validation must be a fraction in (0, 1), got {validation!r}")
    cut = len(ids) - round(validation * len(ids))
    if min(cut, len(ids) - cut) < 2:
        raise ValueError(f"split: {len(ids):,} characters leave fewer than 2 on one side of a "
                         f"{validation:g} validation split")
    return ids[:cut], ids[cut:]


def tracks(ids: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """The stream cut into `batch` parallel tracks of L = (n − 1) // batch characters: inputs x (batch, L)
    and targets y (batch, L), y[b, t] = x[b, t + 1] the character that follows (the last < batch characters
    are dropped). Track b continues from step to step, so a recurrent state can be carried along it."""
    batch = check_int(batch, "batch", "tracks")
    length = (len(ids) - 1) // batch
    if length < 1:
        raise ValueError(f"tracks: {len(ids):,} characters cannot fill {batch} tracks of at least one "
                         "input and one target; use a smaller batch")
    x = ids[:batch * length].reshape(batch, length)
    y = ids[1:batch * length + 1].reshape(batch, length)
    return x, y


def unigram_entropy(ids: np.ndarray) -> float:
    """H = −Σ_c p_c log₂ p_c with p_c the frequency of character c in `ids`: the bits per character of a
    model that knows only the character frequencies (the baseline a language model must beat)."""
    p = np.bincount(ids) / len(ids)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())
