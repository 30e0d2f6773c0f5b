"""The benchmark behind ``make bench``: build speed against plain Pelican, page and email weight.

Not part of the tests; ``python -m bench --help`` lists the options.
"""
