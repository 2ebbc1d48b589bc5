"""Fellows' feedback on units and readings, facilitators' view of it, and the syllabus report."""
