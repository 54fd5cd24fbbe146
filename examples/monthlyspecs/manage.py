#!/usr/bin/python3
"""Django's command-line utility for the MonthlySpecs example (run.sh calls it)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monthlyspecs.settings")
    sys.dont_write_bytecode = True  # keep the checkout free of __pycache__
    try:
        import tessera_drf  # noqa: F401  (installed: `pip install ./integrations/django`)
    except ImportError:
        # From a Tessera checkout: the package beside the example.
        sys.path.insert(0, os.path.join(HERE, "..", "..", "integrations", "django"))
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
