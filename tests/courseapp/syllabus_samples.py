"""Syllabus texts shared by the syllabus tests (the seed itself is tests/fixtures/)."""

from pathlib import Path

SEED = (
    Path(__file__).resolve().parents[1] / "fixtures" / "week-03-inner-alignment.txt"
).read_bytes()

TWO_WEEKS = """Week 1: Introduction
Why this course
Overview
First paragraph.

Second paragraph.
Learning Objectives
By the end of Week 1, fellows should be able to:
- Explain the problem
- Name two approaches
Core Readings
- A first reading: with a colon (Alice, 2020)
- "Quoted" (and parenthesised) title (Bob & Carol, 2021)
Recommended Readings
- Without a year (Some Organisation)
Further Readings

Week 2: Second week
Overview
Short.
Learning Objectives
- Only an objective
Core Readings
- Talk about things (Dana et al., 2019) [podcast, 55 min]
Recommended Readings
Further Readings
- Deep dive (Eve, 2018) [25 min]
"""
