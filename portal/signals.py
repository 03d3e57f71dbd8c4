"""Signals between features, so that one feature can react to another without importing it."""

from blinker import Namespace

_signals = Namespace()

# Sent with user_id and section (a SectionVersion) when an attempt at the section's quiz is passed.
quiz_passed = _signals.signal("quiz-passed")

# Sent with user_id when a person completes a version of a module.
module_completed = _signals.signal("module-completed")

# Sent with user_id and scenario (its slug) when a trygghetskedjan exercise is passed.
exercise_passed = _signals.signal("exercise-passed")
