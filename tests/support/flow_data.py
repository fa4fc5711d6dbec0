"""People and texts the flow tests share, in process (tests/dialog) and through the real
process (tests/e2e)."""

from __future__ import annotations

# The team of tests/data/teams.csv whose task flows are played (Telegram user ids).
ANNA, BARTOSZ, CELINA, DOROTA, JAN, MARIA = 8001, 8002, 8003, 8004, 8005, 8006
TASK_PEOPLE = {
    ANNA: ("anna.nowak@example.pl", "Anna"),
    BARTOSZ: ("bartosz.wisniewski@example.pl", "Bartosz"),
    CELINA: ("celina.wojcik@example.pl", "Celina"),
    DOROTA: ("dorota.lewandowska@example.pl", "Dorota"),
    JAN: ("jan.kowalski@example.pl", "Jan"),
    MARIA: ("maria.szymanska@example.pl", "Maria"),
}
ACCEPT, RETURN, SEND = "✅ Przyjmij", "↩️ Zwróć do poprawy", "✅ Wyślij doradcy"

# A cohort in its monitoring months and its team, for the report flows.
MONITORING = "Monitoring"
MONITORING_TEAM = """jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Zofia Nowicka;zofia@example.pl;K;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;członek;Piotr Zając;piotr@example.pl;M;pl
1206022;Gmina Jesionowa;gmina wiejska;małopolskie;doradca;Adam Mazur;adam@example.pl;M;pl
"""
ZOFIA, PIOTR, ADAM = 8101, 8102, 8103
DONE_TEXT = (
    "Przeprowadziliśmy szkolenie dla dyrektorów 🎓 <b>nie pogrubiać</b> & zażółć gęślą jaźń"
)
