"""`make bench`: a realistic dataset (dataset.py, written by `python -m bench.data`), a load
driver (driver.py) and a reminder sweep timer (sweep.py). A tool beside the app, left out of its
image (.dockerignore); the normal test suite only uses the dataset (tests/bench/,
tests/test_query_budgets.py)."""
