"""Language identification (cleaners/language.py): scripts first, then stop-word density."""

from __future__ import annotations

import pytest

from cleaners.language import detect_language, script_language, stopword_language, stopwords

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
