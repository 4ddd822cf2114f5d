"""Synthetic people for the demo: invented name combinations, never real records."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from workflows.catalogue import MUNICIPALITIES


@dataclass(frozen=True)
class Origin:
    """Name pools and languages of one country of origin."""

    nationality: str
    languages: tuple[str, ...]
    given: tuple[str, ...]
    family: tuple[str, ...]
    weight: int


ORIGINS = (
    Origin("syrisch", ("Arabisch",), ("Ahmad", "Rania", "Omar", "Lina", "Yousef", "Hala", "Karim", "Nour", "Bashar",
                                      "Dima"), ("Al-Hassan", "Haddad", "Khalil", "Nasser", "Darwish", "Sabbagh",
                                                "Mansour", "Qassem"), 26),
    Origin("afghanisch", ("Dari", "Paschtu"), ("Farid", "Mariam", "Hamid", "Zahra", "Jawad", "Parwana", "Najib",
                                               "Soraya"), ("Ahmadi", "Rahimi", "Hashimi", "Karimi", "Noori", "Sultani",
                                                           "Wardak"), 18),
    Origin("ukrainisch", ("Ukrainisch", "Russisch"), ("Oksana", "Dmytro", "Olena", "Andrii", "Iryna", "Taras",
                                                      "Kateryna", "Bohdan"), ("Kovalenko", "Shevchenko", "Bondarenko",
                                                                              "Tkachenko", "Melnyk", "Kravets"), 24),
    Origin("türkisch", ("Türkisch",), ("Emre", "Elif", "Murat", "Zeynep", "Serkan", "Aylin", "Burak", "Derya"),
           ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk"), 12),
    Origin("irakisch", ("Arabisch", "Kurdisch"), ("Haider", "Shirin", "Ali", "Nasrin", "Kawa", "Rezan"),
           ("Barzani", "Jaf", "Al-Tamimi", "Hussein", "Saleh"), 10),
    Origin("eritreisch", ("Tigrinya",), ("Yonas", "Selam", "Dawit", "Helen", "Tesfay", "Luwam"),
           ("Tesfamariam", "Ghebremedhin", "Haile", "Berhane", "Kidane"), 6),
    Origin("guineisch", ("Französisch", "Fulfulde"), ("Mamadou", "Aissatou", "Ibrahima", "Fatoumata", "Alpha"),
           ("Diallo", "Bah", "Barry", "Sow", "Camara"), 4),
)


@dataclass(frozen=True)
class Person:
    """One synthetic resident of the district."""

    given_name: str
    family_name: str
    birth_date: dt.date
    nationality: str
    languages: tuple[str, ...]
    municipality: str

    def start_data(self) -> dict:
        """Return the start data of a referral for this person."""
        return {"given_name": self.given_name, "family_name": self.family_name,
                "birth_date": self.birth_date.isoformat(), "nationality": self.nationality,
                "languages": list(self.languages), "municipality": self.municipality}


def pick_municipality(rng: random.Random) -> str:
    """Pick an area code weighted by population."""
    areas = list(MUNICIPALITIES)
    return rng.choices(areas, weights=[MUNICIPALITIES[a][1] for a in areas])[0]


def make_person(rng: random.Random, today: dt.date) -> Person:
    """Invent a person: origin by weight, age 17 to 64."""
    origin = rng.choices(ORIGINS, weights=[o.weight for o in ORIGINS])[0]
    age_days = rng.randint(17 * 365, 64 * 365)
    return Person(rng.choice(origin.given), rng.choice(origin.family), today - dt.timedelta(days=age_days),
                  origin.nationality, origin.languages, pick_municipality(rng))
