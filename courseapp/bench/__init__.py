"""`make bench`: a realistic dataset (dataset.py), a load driver (driver.py) and a reminder
sweep timer (sweep.py). Nothing here runs in the normal test suite but the dataset smoke test."""
