"""The fixture's figures, worked out by hand from tests/indicator/fixture.py (not by the code).

Year 2023 — universe: every market but M11 (closed 2022-12-31); M10 opened 2023-07-01 counts.
  HBT-1: M01 compliant; M02 non; M07 non (the August visit beats February's);
         M03 none, M04 pending, M05 returned, M06 rejected → not assessed.
  HBT-2: M08 compliant (23:30 on 31 Dec, local); M10 compliant; M14 compliant (the later
         visit still awaits review); M12 non (later decision); M13 non (higher visit id);
         M09 not assessed (00:30 on 1 Jan 2024, local); M15, M16 not assessed and pending.
  BD-1:  B01 compliant.
2023-Q1 — M10 not yet open: HBT-1 has M01 and M07 (February visit) compliant;
         HBT-2 has M15 (submitted 20 Mar) and M16 (reopened) pending.
2023-12 — only M08's visit falls in December.
2024-01 — only M09's visit (M08's, 60 minutes earlier, belongs to 2023).
"""

# (markets_total, compliant, non_compliant, not_assessed, pending_review, value, coverage, target)
EXPECTED = {
    ("2023", None): (16, 5, 4, 7, 3, 0.3125, 0.5625, 1.0),
    ("2023", "BD"): (1, 1, 0, 0, 0, 1.0, 1.0, 1.0),
    ("2023", "HBT"): (15, 4, 4, 7, 3, 0.2667, 0.5333, 1.0),
    ("2023", "HBT-1"): (7, 1, 2, 4, 1, 0.1429, 0.4286, 1.0),
    ("2023", "HBT-2"): (8, 3, 2, 3, 2, 0.375, 0.625, 1.0),
    ("2023-Q1", None): (15, 2, 0, 13, 2, 0.1333, 0.1333, 1.0),
    ("2023-Q1", "BD"): (1, 0, 0, 1, 0, 0.0, 0.0, 1.0),
    ("2023-Q1", "HBT"): (14, 2, 0, 12, 2, 0.1429, 0.1429, 1.0),
    ("2023-Q1", "HBT-1"): (7, 2, 0, 5, 0, 0.2857, 0.2857, 0.5),
    ("2023-Q1", "HBT-2"): (7, 0, 0, 7, 2, 0.0, 0.0, 1.0),
    ("2023-12", None): (16, 1, 0, 15, 0, 0.0625, 0.0625, 1.0),
    ("2023-12", "HBT"): (15, 1, 0, 14, 0, 0.0667, 0.0667, 1.0),
    ("2023-12", "HBT-1"): (7, 0, 0, 7, 0, 0.0, 0.0, 1.0),
    ("2023-12", "HBT-2"): (8, 1, 0, 7, 0, 0.125, 0.125, 1.0),
    ("2024-01", "HBT-2"): (8, 1, 0, 7, 0, 0.125, 0.125, None),
}
FIELDS = ("markets_total", "compliant", "non_compliant", "not_assessed", "pending_review",
          "value", "coverage", "target")

# Each market's status for 2023 (HBT): (status, pending_review, evidence visit id or None)
YEAR_MARKETS = {
    "M01": ("compliant", False, "00000000-0000-4000-8000-000000000001"),
    "M02": ("non_compliant", False, "00000000-0000-4000-8000-000000000002"),
    "M03": ("not_assessed", False, None),
    "M04": ("not_assessed", True, None),
    "M05": ("not_assessed", False, None),
    "M06": ("not_assessed", False, None),
    "M07": ("non_compliant", False, "00000000-0000-4000-8000-000000000072"),
    "M08": ("compliant", False, "00000000-0000-4000-8000-000000000008"),
    "M09": ("not_assessed", False, None),
    "M10": ("compliant", False, "00000000-0000-4000-8000-000000000010"),
    "M12": ("non_compliant", False, "00000000-0000-4000-8000-000000000122"),
    "M13": ("non_compliant", False, "ffffffff-0000-4000-8000-000000000132"),
    "M14": ("compliant", False, "00000000-0000-4000-8000-000000000141"),
    "M15": ("not_assessed", True, None),
    "M16": ("not_assessed", True, None),
}
