"""100-0-100 tracking per kab/kota: slum hectares, drinking water and sanitation figures."""

from kotaku_collab.indicators.routes import bp

__all__ = ["bp"]
