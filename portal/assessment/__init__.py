"""Assessment: question bank, quizzes, attempts, grading and item analysis.

`core/` is pure (no Flask, no database); the web shell around it comes with the rest of issue 4.
"""
