"""Language identification from stop-word density (jusText's stop lists) and Unicode script."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from operator import itemgetter

import justext

#: ISO 639-1 code -> jusText stop-list name, for the languages we identify by stop words.
STOPLIST_NAMES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "sv": "Swedish",
    "nb": "Norwegian_Bokmal",
    "da": "Danish",
    "fi": "Finnish",
    "pl": "Polish",
    "cs": "Czech",
    "sk": "Slovak",
    "ro": "Romanian",
    "hu": "Hungarian",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "bg": "Bulgarian",
    "el": "Greek",
    "id": "Indonesian",
    "ca": "Catalan",
    "hr": "Croatian",
    "vi": "Vietnamese",
}

#: Scripts that name a language on their own (checked before stop words), as character classes.
_SCRIPT_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("ja", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\W\d_]")  # letters outside the Latin blocks
_WORD = re.compile(r"\w+", re.UNICODE)

#: A language is named only when its stop words are at least this share of the sampled words.
MIN_STOPWORD_SHARE = 0.08
#: Words looked at for stop-word identification (more adds time, not accuracy).
SAMPLE_WORDS = 250
#: Characters looked at for script identification.
SAMPLE_CHARS = 3000
#: A script names the language when it is at least this share of the sampled letters...
MIN_SCRIPT_SHARE = 0.3
#: ...except kana, which means Japanese at a lower share (Japanese mixes kana with ideographs).
MIN_KANA_SHARE = 0.1


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stop words of an ISO 639-1 language (empty if we have none)."""
    name = STOPLIST_NAMES.get(language)
    return frozenset(justext.get_stoplist(name)) if name else frozenset()


@cache
def _languages_by_stopword() -> dict[str, tuple[str, ...]]:
    """Every stop word -> the languages whose stop list holds it (built once)."""
    index: dict[str, list[str]] = {}
    for language in STOPLIST_NAMES:
        for word in stopwords(language):
            index.setdefault(word, []).append(language)
    return {word: tuple(languages) for word, languages in index.items()}


def script_language(text: str) -> str | None:
    """The language a non-Latin script names on its own (Korean, Japanese, Chinese…), if any."""
    sample = text[:SAMPLE_CHARS]
    if sample.isascii() or _NON_LATIN.search(sample) is None:
        return None
    letters = len(_LETTER.findall(sample))
    if not letters or len(_NON_LATIN.findall(sample)) < MIN_KANA_SHARE * letters:
        return None
    counts = {language: len(pattern.findall(sample)) for language, pattern in _SCRIPT_CLASSES}
    if counts["ja"] >= MIN_KANA_SHARE * letters:
        return "ja"
    language, count = max(counts.items(), key=lambda item: item[1])
    return language if count >= MIN_SCRIPT_SHARE * letters else None


def stopword_language(words: list[str]) -> str | None:
    """The language whose stop words make up the largest share of ``words`` (lower-cased)."""
    if len(words) < 3:
        return None
    index = _languages_by_stopword()
    counts: dict[str, int] = {}
    # Each distinct word once, in order of first occurrence: the same counts, and the languages in
    # the same order as counting word by word (the first of the most frequent wins a tie).
    for word, times in Counter(words).items():
        for language in index.get(word, ()):
            counts[language] = counts.get(language, 0) + times
    if not counts:
        return None
    language, count = max(counts.items(), key=itemgetter(1))
    return language if count / len(words) >= MIN_STOPWORD_SHARE else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when no language is clear enough."""
    by_script = script_language(text)
    if by_script:
        return by_script
    return stopword_language([w.lower() for w in _first_words(text)])


def _first_words(text: str) -> list[str]:
    """The first SAMPLE_WORDS ``\\w+`` words of ``text[:2 * SAMPLE_CHARS]``, looked for in a shorter
    prefix first: when it holds more, the first ones are whole (only the last can be cut off)."""
    found = _WORD.findall(text[:SAMPLE_CHARS])
    if len(found) <= SAMPLE_WORDS:
        found = _WORD.findall(text[: SAMPLE_CHARS * 2])
    return found[:SAMPLE_WORDS]
