from report import sales_report

GOLDEN = """\
Region        Units    Revenue
------------  -----  ---------
North            12   1,234.56
South Island      3      -0.05
East           1500  98,765.00
------------  -----  ---------
Total          1515  99,999.51
"""


def test_report_matches_the_golden_output():
    rows = [
        {"region": "North", "units": 12, "revenue_cents": 123456},
        {"region": "South Island", "units": 3, "revenue_cents": -5},
        {"region": "East", "units": 1500, "revenue_cents": 9876500},
    ]
    assert sales_report(rows) == GOLDEN


def test_empty_report():
    assert sales_report([]) == "Region  Units  Revenue\n------  -----  -------\n------  -----  -------\nTotal       0     0.00\n"
