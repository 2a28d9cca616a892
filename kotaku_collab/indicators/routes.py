"""Indicator pages under /review/indicators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("indicators", __name__)
