"""The pieces of scripts/bench: processes and emulators to measure, playbooks to measure them on,
the suites that take the figures, and the report. scripts/bench's docstring says what is measured."""
