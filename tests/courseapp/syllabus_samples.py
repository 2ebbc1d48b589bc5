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

# Two weeks with links, one after the suffix; the second week follows with no blank line.
WITH_LINKS = """Week 5: Links
Overview
Readings you can open.
Learning Objectives
- Open a reading
Core Readings
- Sleeper Agents: Training Deceptive LLMs (Anthropic, 2024) [paper, 40 min] <https://example.org/x>
- A post without a suffix (Alice, 2020) <http://example.org/post?id=1&view=full#part-2>
Recommended Readings
- A reading without a link (Bob, 2021)
Further Readings
Week 6: Next
Overview
Short.
Learning Objectives
- Another objective
Core Readings
- Talk about things (Dana et al., 2019) [podcast] <https://example.org/talk>
Recommended Readings
Further Readings
"""
