"""One canonical form for Vietnamese phone numbers (imports, chat edits and claims compare it)."""

from __future__ import annotations

import pytest

from bot.services.phones import normalise_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912345678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "0084912345678",
        "(+84) 912-345-678",
        "+84 0912345678",
        "912345678",  # a spreadsheet number cell dropped the leading zero
        912345678,
    ],
)
def test_every_way_of_writing_one_mobile_gives_one_form(raw: str | int) -> None:
    assert normalise_phone(raw) == "0912345678"


def test_landlines_keep_their_area_code() -> None:
    assert normalise_phone("0271 3879 123") == "02713879123"
    assert normalise_phone("+84 271 3879 123") == "02713879123"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "abc",
        "0912",
        "09123456789012",
        "+1 202 555 0100",
        "0112345678",
        "12x4567890",
    ],
)
def test_what_is_not_a_vietnamese_number_is_none(raw: str | None) -> None:
    assert normalise_phone(raw) is None
