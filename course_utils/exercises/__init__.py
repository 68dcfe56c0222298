"""Exercise self-checks, one module per notebook (``nb01`` for notebook 01, …).

The course's tools (loss doctor, schedules, probes, data, models, plots) import nothing from here;
each module here may use them. Every check takes the learner's answer first, prints ✅ or ❌ with a
hint, and returns True or False.
"""
