"""Módulo 7 course kit: one docker-py API over a real Docker engine or the embedded simulator."""

__all__ = ["Lab"]


def __getattr__(name):  # keep `import course` light: the Lab pulls in docker-py
    if name == "Lab":
        from .lab import Lab

        return Lab
    raise AttributeError(name)
