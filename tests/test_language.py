"""Language identification (cleaners/language.py): scripts first, then stop-word density."""

from __future__ import annotations

import pytest

from cleaners.language import (
    _WORD,
    SAMPLE_CHARS,
    SAMPLE_WORDS,
    _first_words,
    detect_language,
    script_language,
    stopword_language,
    stopwords,
)

SAMPLES = {
    "en": "The council is expected to vote on a relief package next week, and the mayor said she would support it.",
    "de": "Der Rat wird voraussichtlich nächste Woche über ein Hilfspaket abstimmen, und die Bürgermeisterin sagte, "
    "dass sie es unterstützen werde.",
    "fr": "Le conseil devrait voter la semaine prochaine sur un plan d'aide, et la maire a dit qu'elle le "
    "soutiendrait.",
    "es": "Se espera que el consejo vote la próxima semana un paquete de ayuda, y la alcaldesa dijo que lo apoyaría.",
    "pt": "O conselho deve votar na próxima semana um pacote de ajuda, e a prefeita disse que o apoiaria "
    "com os outros.",
    "ru": "Ожидается, что совет проголосует за пакет помощи на следующей неделе, и мэр сказала, что она его поддержит.",
}


@pytest.mark.parametrize(("language", "text"), sorted(SAMPLES.items()))
def test_stop_word_languages(language: str, text: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("항구는 월요일에 다시 문을 열었다. 수리는 3주 동안 계속되었다.", "ko"),
        ("港は月曜日に再開しました。修理は三週間続きました。", "ja"),
        ("港口在周一重新开放，修理工作持续了三个星期。", "zh"),
        ("أعيد فتح الميناء يوم الاثنين بعد ثلاثة أسابيع من الإصلاحات", "ar"),
    ],
)
def test_scripts_name_their_language(text: str, language: str) -> None:
    assert script_language(text) == language
    assert detect_language(text) == language


def test_latin_text_has_no_script_language() -> None:
    assert script_language(SAMPLES["en"]) is None


def test_unclear_text_has_no_language() -> None:
    assert detect_language("") is None
    assert detect_language("12 34 56") is None
    assert detect_language("Xkcd Qwzz Plonk Vrrb Zzyzx Grnt") is None
    assert stopword_language(["the"]) is None  # too few words to tell


def test_stopwords_come_from_justext_lists() -> None:
    english = stopwords("en")
    assert {"the", "and", "of"} <= english
    assert stopwords("xx") == frozenset()


def test_first_words_are_the_sample_words_whatever_the_prefix_looked_at() -> None:
    # Long words: fewer than SAMPLE_WORDS in the first SAMPLE_CHARS, one cut at that boundary.
    long_words = " ".join(f"{k:04d}" + "x" * 20 for k in range(300))
    # Short words: more than SAMPLE_WORDS in the first SAMPLE_CHARS.
    short_words = " ".join(f"w{k}" for k in range(1000))
    for text in (long_words, short_words):
        assert _first_words(text) == _WORD.findall(text[: 2 * SAMPLE_CHARS])[:SAMPLE_WORDS]
    assert _first_words(long_words)[-1] == "0239" + "x" * 20  # whole, not cut at SAMPLE_CHARS


def test_stopword_language_breaks_ties_by_first_occurrence() -> None:
    # "de" is a stop word of several languages, "het" only Dutch, "och" only Swedish: a tie between
    # Dutch and Swedish goes to the language whose stop word came first.
    assert stopword_language(["het", "och", "xx", "yy"]) == "nl"
    assert stopword_language(["och", "het", "xx", "yy"]) == "sv"
