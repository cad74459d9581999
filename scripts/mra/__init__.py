"""The ECHONET MRA generator behind ``scripts/generate_definitions.py``.

- ``common``: the error, key making and hex numbers every part uses;
- ``datatypes``: ``$ref`` resolution and the normalised data-type schema;
- ``generator``: classes, properties, checks and the output files;
- ``names``: the text of ``names.py``;
- ``supplement``: Appendix classes that the MRA does not cover.
"""
