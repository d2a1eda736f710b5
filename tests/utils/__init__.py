"""Helpers shared by the test modules (samples, tiny corpora, recipe runs).

Authors
 * speechbrain-fica contributors 2026
"""
