"""Evaluation harness: golden set, deterministic metrics, reports and a regression gate."""
