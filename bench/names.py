"""Polish names and places for generated data: diacritics, -ski/-ska surname forms, TERYT codes.

The lists are short on purpose: combined at random they give tens of thousands of distinct
people, and they exercise what real data holds (ą, ę, ł, ó, ś, ź, ż; gendered surnames).
"""

from __future__ import annotations

import unicodedata

FEMALE_FIRST = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Zofia", "Joanna", "Magdalena", "Monika", "Beata", "Dorota", "Aleksandra",
    "Jolanta", "Grażyna", "Iwona", "Danuta", "Teresa", "Halina", "Irena", "Jadwiga", "Natalia",
    "Justyna", "Karolina", "Marta", "Renata", "Sylwia", "Urszula", "Wioletta", "Żaneta",
    "Łucja", "Bożena", "Paulina", "Agata", "Edyta", "Hanna", "Izabela", "Weronika", "Alicja",
)  # fmt: skip
MALE_FIRST = (
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Jan", "Michał", "Marcin", "Stanisław",
    "Jakub", "Adam", "Marek", "Łukasz", "Grzegorz", "Mateusz", "Wojciech", "Mariusz", "Dariusz",
    "Zbigniew", "Jerzy", "Maciej", "Rafał", "Robert", "Kamil", "Józef", "Ryszard",
    "Przemysław", "Sławomir", "Bartłomiej", "Jarosław", "Szymon", "Artur",
)  # fmt: skip
SURNAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski",
    "Michalski", "Nowicki", "Adamczyk", "Dudek", "Zając", "Wieczorek", "Jabłoński", "Król",
    "Majewski", "Olszewski", "Jaworski", "Wróbel", "Malinowski", "Pawlak", "Witkowski",
    "Walczak", "Stępień", "Górski", "Rutkowski", "Michalak", "Sikora", "Ostrowski", "Baran",
    "Duda", "Szewczyk", "Tomaszewski", "Pietrzak", "Marciniak", "Wróblewski", "Zalewski",
    "Jakubowski", "Jasiński", "Zawadzki", "Sadowski", "Bąk", "Chmielewski", "Włodarczyk",
    "Borkowski", "Czarnecki", "Sawicki", "Sokołowski", "Urbański", "Kubiak", "Maciejewski",
    "Szczepański", "Kucharski", "Wilk", "Kalinowski", "Lis", "Mazurek", "Wysocki", "Adamski",
    "Kaźmierczak", "Wasilewski", "Sobczak", "Czerwiński", "Andrzejewski", "Cieślak",
    "Głowacki", "Zakrzewski", "Kołodziej", "Sikorski", "Krajewski", "Gajewski", "Szymczak",
    "Szulc", "Baranowski", "Laskowski", "Brzeziński", "Makowski", "Ziółkowski", "Przybylski",
)  # fmt: skip
# The 16 voivodeships with their TERYT codes and their number of gminas (the weights).
VOIVODESHIPS = (
    ("02", "dolnośląskie", 169), ("04", "kujawsko-pomorskie", 144), ("06", "lubelskie", 213),
    ("08", "lubuskie", 82), ("10", "łódzkie", 177), ("12", "małopolskie", 182),
    ("14", "mazowieckie", 314), ("16", "opolskie", 71), ("18", "podkarpackie", 160),
    ("20", "podlaskie", 118), ("22", "pomorskie", 123), ("24", "śląskie", 167),
    ("26", "świętokrzyskie", 102), ("28", "warmińsko-mazurskie", 116),
    ("30", "wielkopolskie", 226), ("32", "zachodniopomorskie", 113),
)  # fmt: skip
PLACE_STEMS = (
    "Dąbrowa", "Wola", "Brzozów", "Lipnik", "Bukowiec", "Jabłonna", "Kamień", "Olszyna",
    "Radomyśl", "Sośnica", "Zawada", "Łęka", "Żabno", "Świerczyna", "Grabów", "Chełmiec",
    "Różan", "Przytyk", "Łużna", "Jeżów", "Kłodawa", "Rędziny", "Wierzbica", "Zbąszyń",
    "Łososina", "Ściborzyce", "Gródek", "Jaśliska", "Mszana", "Babice", "Dobrzeń", "Żórawina",
    "Tuszyn", "Kościerzyna", "Ostrówek", "Wąsosz", "Nowogród", "Biała", "Sędziszów", "Pruszcz",
)  # fmt: skip
PLACE_SUFFIXES = ("", "", "", " Wielka", " Mała", " Górna", " Dolna", " Stara", " Nowa")
POWIAT_ADJECTIVES = (
    "bocheński", "brzeski", "kłodzki", "lubański", "oleśnicki", "żarski", "gnieźnieński",
    "łęczycki", "myszkowski", "sądecki", "zwoleński", "ełcki", "świdnicki", "łowicki",
    "grójecki", "wąbrzeski", "sokólski", "kościański", "słupecki", "żyrardowski",
)  # fmt: skip
FOLD = str.maketrans({"ł": "l", "Ł": "L"})  # the one Polish letter NFKD leaves alone


def female_surname(surname: str) -> str:
    """Kowalski -> Kowalska, Nowicki -> Nowicka, Zawadzki -> Zawadzka; Nowak stays Nowak."""
    if surname.endswith(("ski", "cki", "dzki")):
        return surname[:-1] + "a"
    return surname


def ascii_fold(text: str) -> str:
    """Łódź -> Lodz: e-mail local parts and domains in plain ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def slug(text: str) -> str:
    """Gmina Zawada Górna -> gmina-zawada-gorna."""
    words = "".join(char if char.isalnum() else " " for char in ascii_fold(text).lower())
    return "-".join(words.split())
