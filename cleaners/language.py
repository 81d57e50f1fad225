"""Language identification from stop-word density (jusText's stop lists) and Unicode script."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

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

#: Scripts that name a language on their own (checked before stop words).
_SCRIPT_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("THAI", "th"),
    ("DEVANAGARI", "hi"),
)

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_STOPWORD_SHARE = 0.08
SAMPLE_WORDS = 1500
SAMPLE_CHARS = 4000


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stop words of an ISO 639-1 language (empty if we have none)."""
    name = STOPLIST_NAMES.get(language)
    return frozenset(justext.get_stoplist(name)) if name else frozenset()


def _script_language(text: str) -> str | None:
    counts: Counter[str] = Counter()
    letters = 0
    for char in text[:SAMPLE_CHARS]:
        if not char.isalpha():
            continue
        letters += 1
        name = unicodedata.name(char, "")
        for script, language in _SCRIPT_LANGUAGES:
            if name.startswith(script):
                counts[language] += 1
                break
    if not letters or not counts:
        return None
    # Japanese text mixes kana with CJK ideographs: any real share of kana means Japanese.
    if counts["ja"] >= 0.1 * letters:
        return "ja"
    language, count = counts.most_common(1)[0]
    return language if count >= 0.3 * letters else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when no language is clear enough."""
    by_script = _script_language(text)
    if by_script:
        return by_script
    words = [w.lower() for w in _WORD.findall(text[: SAMPLE_CHARS * 4])][:SAMPLE_WORDS]
    if len(words) < 3:
        return None
    best, best_share = None, 0.0
    for language in STOPLIST_NAMES:
        stop = stopwords(language)
        share = sum(1 for w in words if w in stop) / len(words)
        if share > best_share:
            best, best_share = language, share
    return best if best_share >= MIN_STOPWORD_SHARE else None
