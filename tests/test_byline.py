"""Byline parsing: person names in page order, agencies as credits, junk rejected."""

from __future__ import annotations

import pytest

from cleaners.byline import names_from_list, parse_byline


def test_all_caps_name_is_not_prefix_stripped() -> None:
    assert parse_byline("ABBY GOODNOUGH").authors == ("ABBY GOODNOUGH",)


def test_by_prefix_only_at_word_boundary() -> None:
    assert parse_byline("By BYRON YORK").authors == ("BYRON YORK",)
    assert parse_byline("Byron York").authors == ("Byron York",)


def test_two_authors_in_page_order() -> None:
    parsed = parse_byline("By Jane Doe and John Roe")
    assert parsed.authors == ("Jane Doe", "John Roe")
    assert parsed.credits == ()
    assert parsed.raw == "By Jane Doe and John Roe"


def test_all_caps_pair_from_text_captures() -> None:
    assert parse_byline("JANE DOE AND JOHN ROE").authors == ("JANE DOE", "JOHN ROE")


@pytest.mark.parametrize("raw", ["Jane Doe, Senior Reporter", "Jane Doe Senior Reporter", "By Jane Doe, Staff Writer"])
def test_job_title_is_dropped(raw: str) -> None:
    assert parse_byline(raw).authors == ("Jane Doe",)


def test_files_from_agency_is_a_credit() -> None:
    parsed = parse_byline("With files from The Canadian Press")
    assert parsed.authors == ()
    assert parsed.credits == ("The Canadian Press",)


def test_author_and_agency_split() -> None:
    parsed = parse_byline("By Jane Doe | Reuters")
    assert parsed.authors == ("Jane Doe",)
    assert parsed.credits == ("Reuters",)
    assert parse_byline("Jane Doe, Associated Press").credits == ("The Associated Press",)


@pytest.mark.parametrize(
    ("raw", "name"), [("By JOHN SMITH Jr.", "JOHN SMITH Jr."), ("By John Smith, Jr.", "John Smith Jr.")]
)
def test_suffix_is_kept(raw: str, name: str) -> None:
    assert parse_byline(raw).authors == (name,)


@pytest.mark.parametrize(
    "raw",
    [
        "jane.doe@example.com",
        "@janedoe",
        "Updated 3:45 PM ET, Nov 19, 2019",
        "2019-11-19 12:00",
        "https://example.com/authors/jane",
        "CNN Staff",
        "Editorial Team",
        "Acme Marketing Solutions",
        "TOI Lifestyle Desk",
        "Center for Drug Evaluation and Research",
    ],
)
def test_non_names_are_rejected(raw: str) -> None:
    assert parse_byline(raw).authors == ()


def test_trailing_date_is_cut_from_name() -> None:
    assert parse_byline("By Jane Doe Nov 19, 2019").authors == ("Jane Doe",)
    assert parse_byline("Jane Doe is a senior reporter at the Globe").authors == ("Jane Doe",)


def test_site_name_is_not_an_author() -> None:
    assert parse_byline("Cory Dransfeldt", site_name="Cory Dransfeldt").authors == ()
    assert names_from_list(["Buzzsprout"], host="www.buzzsprout.com").authors == ()
    assert names_from_list(["Cory Dransfeldt"], site_name="Cory Dransfeldt").authors == ("Cory Dransfeldt",)
    assert parse_byline("Jane Doe", site_name="Cory Dransfeldt").authors == ("Jane Doe",)


def test_particles_inside_names() -> None:
    assert parse_byline("By Ludwig van Beethoven").authors == ("Ludwig van Beethoven",)


def test_structured_names_keep_order_and_drop_duplicates() -> None:
    parsed = names_from_list(["John Roe", "Jane Doe", "John Roe", "Reuters"])
    assert parsed.authors == ("John Roe", "Jane Doe")
    assert parsed.credits == ("Reuters",)


def test_one_word_names_only_when_the_byline_is_that_word() -> None:
    assert names_from_list(["Maddy"]).authors == ("Maddy",)
    assert names_from_list(["Center for Drug Evaluation and Research"]).authors == ()
    assert names_from_list(["TOI Lifestyle Desk"]).authors == ()


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Dylan Bailey, MS, RD, FAND", ("Dylan Bailey, MS, RD, FAND",)),
        ("Genevieve Carlton, Ph.D.", ("Genevieve Carlton, Ph.D.",)),
        ("Jeffrey A. Slotnick CPP, PSP", ("Jeffrey A. Slotnick CPP, PSP",)),
        ("Shelby Loos, DVM, Molly Price, DVM", ("Shelby Loos, DVM", "Molly Price, DVM")),
    ],
)
def test_post_nominal_credentials_stay_with_the_name(raw: str, names: tuple[str, ...]) -> None:
    assert parse_byline(raw).authors == names


def test_a_credential_is_not_an_agency_and_an_agency_is_not_a_credential() -> None:
    assert parse_byline("Jane Doe, AP").authors == ("Jane Doe",)
    assert parse_byline("Jane Doe, AP").credits == ("The Associated Press",)


def test_organisation_named_as_author_is_a_credit_not_a_person() -> None:
    for raw in ("Acme Editorial Team", "Thrive Agency", "The Lavazza Team"):
        parsed = names_from_list([raw])
        assert parsed.authors == ()
        assert parsed.credits == (raw,)
    assert parse_byline("By Podium Staff").credits == ("Podium Staff",)
    assert names_from_list(["Center for Drug Evaluation and Research"]).credits == (
        "Center for Drug Evaluation and Research",
    )


def test_a_company_named_with_its_legal_form_is_no_credit() -> None:
    """ "Acme Dentistry PC" is the business behind the site, not who wrote the article."""
    for raw in ("Acme Dentistry PC", "Blue Widget Inc.", "Acme Holdings GmbH"):
        parsed = names_from_list([raw])
        assert (parsed.authors, parsed.credits) == ((), ())
    assert parse_byline("By Acme Marketing LLC").credits == ()
    assert parse_byline("By Acme Marketing").credits == ("Acme Marketing",)


def test_a_job_is_no_organisation_credit() -> None:
    """An author's role box ("Marketing Director") is no credit; a newsroom's or a subject's name is."""
    for raw in ("Marketing Director", "Digital Security Expert", "Vice President of Consulting"):
        assert parse_byline(raw, single=True).credits == ()
    assert parse_byline("By Paul Frew, Home and Digital Security Expert").credits == ()
    for raw in ("SFist Contributor", "Georgia Tech", "Bank of America"):
        assert parse_byline(raw, single=True).credits == (raw,)


def test_site_crediting_itself_is_a_credit() -> None:
    assert names_from_list(["Swoogo"], host="swoogo.com").credits == ("Swoogo",)
    assert names_from_list(["Swoogo"], host="swoogo.com").authors == ()


@pytest.mark.parametrize(
    "raw", ["aawoods", "q_admin", "jane.doe@example.com", "Head of Marketing", "Webmaster", "Full Bio"]
)
def test_handles_jobs_and_chrome_are_neither_authors_nor_credits(raw: str) -> None:
    parsed = names_from_list([raw])
    assert (parsed.authors, parsed.credits) == ((), ())


def test_plain_text_needs_an_organisation_word_to_credit_an_organisation() -> None:
    assert parse_byline("By Clicking Here").credits == ()
    assert parse_byline("By Acme Marketing").credits == ("Acme Marketing",)


def test_reviewers_and_photographers_are_not_authors() -> None:
    for raw in ("Reviewed by Margaret James", "Medically reviewed by Jane Doe, MD", "Photos by John Roe"):
        assert parse_byline(raw).authors == ()


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Liz Kenny Former McKinsey Consultant", ("Liz Kenny",)),
        ("Authors Aniruddha Roy, Jyoti Patel", ("Aniruddha Roy", "Jyoti Patel")),
        ("Article by: Jane Doe", ("Jane Doe",)),
        ("CM Craig McCarthy Last updated on 17 December 2025", ("Craig McCarthy",)),
        ("Niko Matsakis on behalf of the Rust team", ("Niko Matsakis",)),
    ],
)
def test_byline_noise_around_the_name_is_cut(raw: str, names: tuple[str, ...]) -> None:
    assert parse_byline(raw).authors == names


@pytest.mark.parametrize("raw", ["Full Bio", "Author Posts", "August", "Dec", "The Organized Mama"])
def test_chrome_words_months_and_articles_are_not_names(raw: str) -> None:
    assert parse_byline(raw, single=True).authors == ()


def test_one_word_names_together_only_from_structured_data() -> None:
    assert names_from_list(["Maria &amp; Katerina"]).authors == ("Maria", "Katerina")
    assert parse_byline("Wellness & Prevention", single=True).authors == ()


def test_headline_shaped_text_is_not_a_byline() -> None:
    assert parse_byline("One Week in Japan Itinerary: Kyoto, Tokyo, Nara, Mt. Fuji", single=True).authors == ()


def test_headline_check_looks_past_the_lead_in_and_the_tail() -> None:
    assert parse_byline("Written By: Cazzy Magennis Last Updated: August 1, 2025").authors == ("Cazzy Magennis",)


def test_agency_with_a_job_title_is_the_agency_and_job_phrases_are_no_organisation() -> None:
    assert parse_byline("By Jane Doe, Reuters Staff Writer").credits == ("Reuters",)
    assert parse_byline("Staff Writer Jane Doe").credits == ()
    assert parse_byline("Jr. Staff Writer").credits == ()
    assert parse_byline("A", single=True).credits == ()


def test_unit_credits() -> None:
    from cleaners.byline import is_unit_credit

    assert is_unit_credit("TOI Lifestyle Desk")
    assert is_unit_credit("The Acme Team")
    assert not is_unit_credit("Jane Doe - Acme Editorial Team")  # a person and her team
    assert not is_unit_credit("Acme Media")
    assert not is_unit_credit("Team")


def test_job_title_after_a_dash_is_not_part_of_the_name() -> None:
    assert parse_byline("Jane Doe - Senior Editor").authors == ("Jane Doe",)
    assert parse_byline("Maddy — Product marketer", single=True).authors == ("Maddy",)
    assert parse_byline("Ana Lima - Lisbon").authors == ()  # a place, not a role: left alone


def test_generation_numerals_only_in_capitals() -> None:
    assert parse_byline("John Smith IV").authors == ("John Smith IV",)
    assert parse_byline("Taya Iv", single=True).authors == ("Taya Iv",)
    assert parse_byline("Ann Lee, III").authors == ("Ann Lee III",)


def test_this_post_was_written_by_lead_in_is_stripped() -> None:
    parsed = parse_byline("This post was written by Jane Doe, Head of Marketing and Community Development")
    assert parsed.authors == ("Jane Doe",)
    assert parse_byline("This article was reviewed by Jane Doe").authors == ()


def _lead_in_phrases() -> list[str]:
    import tomllib
    from importlib import resources

    data = tomllib.loads((resources.files("cleaners") / "data" / "byline_words.toml").read_text(encoding="utf-8"))
    return [*data["lead_ins"], *data["credited_lead_ins"]]


#: Lead-ins that name someone other than the writer: the byline gives no author.
_NOT_WRITERS = ("reviewed by", "edited by")


@pytest.mark.parametrize("phrase", [p for p in _lead_in_phrases() if not p.endswith(":")])
def test_each_lead_in_of_the_data_file_is_stripped(phrase: str) -> None:
    expected = () if phrase in _NOT_WRITERS else ("Jane Doe",)
    assert parse_byline(f"{phrase.capitalize()} Jane Doe").authors == expected


def test_credited_lead_ins_may_follow_an_article_or_additional() -> None:
    assert parse_byline("Additional reporting by Jane Doe").authors == ("Jane Doe",)
    assert parse_byline("With a report from Jane Doe").authors == ("Jane Doe",)
    assert parse_byline("Additional words by Jane Doe").authors == ()  # "words by" is a plain lead-in


def test_lead_ins_are_read_from_the_data_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaners import byline

    real = byline._data

    def with_interview(name: str) -> dict:  # type: ignore[type-arg]
        data = dict(real(name))
        if name == "byline_words.toml":
            data["lead_ins"] = [*data["lead_ins"], "interview by"]
        return data

    assert parse_byline("Interview by Jane Doe").authors == ()
    monkeypatch.setattr(byline, "_data", with_interview)
    byline._lead_in.cache_clear()
    try:
        assert parse_byline("Interview by Jane Doe").authors == ("Jane Doe",)
    finally:
        monkeypatch.undo()
        byline._lead_in.cache_clear()


def test_a_lead_in_ending_in_a_colon_is_stripped_before_a_space() -> None:
    assert parse_byline("Author: Jane Doe").authors == ("Jane Doe",)
    assert parse_byline("Authors : Jane Doe and John Roe").authors == ("Jane Doe", "John Roe")
    assert parse_byline("By BYRON YORK").authors == ("BYRON YORK",)  # still only at a word boundary


def test_role_nouns_are_job_titles() -> None:
    """``role_nouns`` (a credit ending in one is a person's job: "Marketing Director") is chosen
    among the job titles: the two lists may not drift apart."""
    import tomllib
    from importlib import resources

    words = tomllib.loads(resources.files("cleaners.data").joinpath("byline_words.toml").read_text("utf-8"))
    assert set(words["role_nouns"]) <= set(words["job_titles"])


def test_a_date_before_the_name_is_no_part_of_the_byline() -> None:
    """Post meta written date first ("Dec 17, 2025 Jane Doe") names the writer after the date."""
    assert parse_byline("Dec 17, 2025 Jane Doe", single=True).authors == ("Jane Doe",)
    assert parse_byline("2025-12-17 · Jane Doe and John Roe").authors == ("Jane Doe", "John Roe")
    assert parse_byline("17 December 2025 by Jane Doe").authors == ("Jane Doe",)
    assert parse_byline("May Smith").authors == ("May Smith",)  # a month-name first name, no date


def test_a_middle_name_in_parentheses_is_part_of_the_name() -> None:
    assert parse_byline("Paramita (Guha) Ghosh", single=True).authors == ("Paramita (Guha) Ghosh",)
    assert parse_byline("By Jane (Smith) Doe, MD and John Roe").authors == ("Jane (Smith) Doe, MD", "John Roe")
    assert parse_byline("Jane Doe (Reuters)").authors == ()


def test_a_degree_is_no_organisation() -> None:
    assert parse_byline("Licensed Coffee Grader, M.A. Journalism", single=True).credits == ()
    assert parse_byline("M A Journalism", single=True).credits == ()
    assert parse_byline("Acme Journalism", single=True).credits == ("Acme Journalism",)
