"""The offices and municipalities of KIM in Rhein-Kreis Neuss, defined once for engine, screens and reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Office:
    """A kind of office that works on cases; lanes and candidate groups name it by its code."""

    code: str
    name_de: str
    name_en: str
    asked_by_case_management: bool = False  # case management sends it requests (kim_case coordination)

    def name(self, language: str = "de") -> str:
        """Return the office's name in German or English."""
        return self.name_en if language == "en" else self.name_de


CASE_MANAGEMENT = "kim_cm"  # responsible case management sees the whole case
COORDINATION = "kim_coord"  # district coordination: statistics and structural problems, district-wide

OFFICES: dict[str, Office] = {office.code: office for office in (
    Office("abh", "Ausländerbehörde", "Foreigners' authority", asked_by_case_management=True),
    Office("jobcenter", "Jobcenter", "Job centre", asked_by_case_management=True),
    Office("sozialamt", "Sozialamt", "Social services", asked_by_case_management=True),
    Office("ebh", "Einbürgerungsbehörde", "Naturalisation office", asked_by_case_management=True),
    Office(CASE_MANAGEMENT, "KIM-Fallmanagement", "KIM case management"),
    Office(COORDINATION, "KIM-Koordination", "KIM coordination"),
)}
OFFICE_CODES = frozenset(OFFICES)
OFFICES_ASKED = tuple(code for code, office in OFFICES.items() if office.asked_by_case_management)

# Area code -> display name and inhabitants (rounded; weights the demo's municipalities).
MUNICIPALITIES: dict[str, tuple[str, int]] = {
    "neuss": ("Neuss", 155_000),
    "dormagen": ("Dormagen", 65_000),
    "grevenbroich": ("Grevenbroich", 64_000),
    "meerbusch": ("Meerbusch", 56_000),
    "kaarst": ("Kaarst", 44_000),
    "korschenbroich": ("Korschenbroich", 33_000),
    "juechen": ("Jüchen", 24_000),
    "rommerskirchen": ("Rommerskirchen", 13_500),
}
OWN_AUTHORITIES = ("neuss", "dormagen")  # cities with their own foreigners' and naturalisation authority


def office_name(code: str | None, language: str = "de") -> str:
    """Return the office's name for its code, or the code when it is not a KIM office."""
    office = OFFICES.get(code or "")
    return office.name(language) if office else (code or "")


def municipality_name(area: str | None) -> str:
    """Return a municipality's display name for its area code."""
    if not area:
        return ""
    return MUNICIPALITIES.get(area, (area.title(), 0))[0]
